import { AppError } from "../../platform/errors.ts";
import type { ClientContext } from "../../platform/identity.ts";
import { isIpAllowed } from "../../platform/ip-allowlist.ts";

/** Refusals that apply to every way into a workspace: sessions, API keys and sockets. */
export const assertWorkspaceAdmits = (
  workspace: { suspendedAt: Date | null; ipAllowlist: string[] },
  client: ClientContext,
): void => {
  if (workspace.suspendedAt !== null) {
    throw new AppError("workspace_suspended", "This workspace is suspended. Contact the Parley operator.");
  }
  if (!isIpAllowed(client.ip, workspace.ipAllowlist)) {
    throw new AppError("ip_not_allowed", `This workspace does not accept requests from ${client.ip}.`);
  }
};
