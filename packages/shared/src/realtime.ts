import { z } from "zod";
import { ZAuditEntry } from "./audit.schemas.ts";
import { ZWorkspace } from "./auth.schemas.ts";

/** Socket.IO namespaces. */
export const AGENT_NAMESPACE = "/agent";
export const WIDGET_NAMESPACE = "/widget";

/** Events the server emits to agent sockets, with their payloads. */
export const ZAgentServerEvents = {
  "workspace.updated": z.object({ workspace: ZWorkspace }),
  "session.ready": z.object({ userId: z.uuid().nullable(), workspaceId: z.uuid() }),
  /** To members with `audit.view` only. */
  "audit.created": z.object({ entry: ZAuditEntry }),
} as const;

export type TAgentServerEvents = {
  [K in keyof typeof ZAgentServerEvents]: (payload: z.infer<(typeof ZAgentServerEvents)[K]>) => void;
};

/** Payload of a failed acknowledgement, mirroring the HTTP error body. */
export const ZSocketErrorAck = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string() }),
});
