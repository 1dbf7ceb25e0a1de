import type { TMetaPageConnectInput } from "@parley/shared";
import { z } from "zod";
import type { SecretBox } from "../../../platform/crypto.ts";
import { AppError } from "../../../platform/errors.ts";
import { type ChannelContext, type ChannelInbox, ChannelSendError } from "../channel-adapter.ts";
import { graphGet } from "./meta-graph.ts";

/**
 * The one-time page selection Facebook Login leaves behind: encrypted (it holds the admin's
 * long-lived user token), bound to a workspace, inbox and admin, valid for half an hour.
 */

export const SELECTION_PURPOSE = "channels:meta-page-selection";
export const SELECTION_TTL_MS = 30 * 60 * 1000;

const ZSelection = z.object({
  purpose: z.literal(SELECTION_PURPOSE),
  workspaceId: z.uuid(),
  inboxId: z.uuid(),
  userId: z.uuid(),
  platform: z.enum(["messenger", "instagram"]),
  userToken: z.string().min(1),
  nonce: z.string().min(1),
  expiresAt: z.number(),
});
export type Selection = z.infer<typeof ZSelection>;

export const sealSelection = (secrets: Pick<SecretBox, "encrypt">, selection: Selection): string =>
  secrets.encrypt(JSON.stringify(selection));

export const openSelection = (
  services: { secrets: Pick<SecretBox, "decrypt"> },
  token: string,
  expected: { workspaceId: string; inboxId?: string; userId?: string | null },
): Selection => {
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(services.secrets.decrypt(token));
  } catch {
    decoded = null;
  }
  const selection = ZSelection.safeParse(decoded);
  const valid =
    selection.success &&
    selection.data.expiresAt > Date.now() &&
    selection.data.workspaceId === expected.workspaceId &&
    (expected.inboxId === undefined || selection.data.inboxId === expected.inboxId) &&
    (expected.userId === undefined || selection.data.userId === expected.userId);
  if (!valid || !selection.success) {
    throw new AppError("invalid_token", "This page selection has expired or belongs elsewhere; sign in with Facebook again.");
  }
  return selection.data;
};

const ZPageToken = z.object({ access_token: z.string().min(1) });

/**
 * The page token a connect uses: given directly, or fetched with the selection's user token (a
 * page token from a long-lived user token does not expire). A selection connects once.
 */
export const resolvePageToken = async (
  input: TMetaPageConnectInput,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<{ pageToken: string; selectionNonce: string | null }> => {
  if ("pageAccessToken" in input) return { pageToken: input.pageAccessToken, selectionNonce: null };
  const selection = openSelection(context, input.selectionToken, { workspaceId: inbox.workspaceId, inboxId: inbox.id });
  if (selection.platform !== inbox.type || inbox.config.selectionNonce === selection.nonce) {
    throw new AppError("invalid_token", "This page selection was already used; sign in with Facebook again.");
  }
  const page = ZPageToken.safeParse(await graphGet(context, selection.userToken, input.pageId, { fields: "access_token" }));
  if (!page.success) {
    throw new ChannelSendError({
      message: "Meta gave no access token for this page: the signed-in account does not manage it.",
      retryable: false,
    });
  }
  return { pageToken: page.data.access_token, selectionNonce: selection.nonce };
};
