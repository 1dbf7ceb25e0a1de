import { randomBytes } from "node:crypto";
import type { TMetaPage } from "@parley/shared";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../../platform/db.ts";
import { AppError } from "../../../platform/errors.ts";
import type { AppServices } from "../../../platform/services.ts";
import { inboxes } from "../../inboxes/inboxes.tables.ts";
import { type ChannelContext, ChannelSendError } from "../channel-adapter.ts";
import { graphGet } from "./meta-graph.ts";
import { openSelection, SELECTION_PURPOSE, SELECTION_TTL_MS, type Selection, sealSelection } from "./meta-page-selection.ts";

/**
 * Facebook Login for Messenger and Instagram inboxes: the admin grants Parley access to their
 * pages, the callback swaps the code for a long-lived user token and hands the dashboard a
 * one-time selection token (encrypted, so the user token never reaches the browser readable);
 * the admin picks a page and connects with it, which yields a page token that does not expire.
 */

export type MetaLoginPlatform = "messenger" | "instagram";

const STATE_PURPOSE = "channels:meta-oauth-state";
const STATE_TTL_MS = 15 * 60 * 1000;

const SCOPES: Record<MetaLoginPlatform, string[]> = {
  messenger: ["pages_show_list", "pages_messaging", "pages_manage_metadata", "pages_read_engagement", "business_management"],
  instagram: [
    "pages_show_list",
    "pages_manage_metadata",
    "pages_read_engagement",
    "business_management",
    "instagram_basic",
    "instagram_manage_messages",
  ],
};

const ZState = z.object({
  workspaceId: z.uuid(),
  inboxId: z.uuid(),
  userId: z.uuid(),
  platform: z.enum(["messenger", "instagram"]),
  expiresAt: z.number(),
});

type LoginServices = Pick<AppServices, "config" | "secrets"> & { db: Database };

export const oauthCallbackUrl = (config: AppServices["config"], platform: MetaLoginPlatform) =>
  `${config.publicUrl}/api/v1/channels/${platform}/oauth/callback`;

const requireMetaApp = (config: AppServices["config"]) => {
  const { metaAppId, metaAppSecret } = config.channels;
  if (!metaAppId || !metaAppSecret) {
    throw new AppError(
      "bad_request",
      "Facebook Login needs META_APP_ID and META_APP_SECRET; set them, or connect with a page access token.",
      undefined,
      { reason: "meta_login_not_configured" },
    );
  }
  return { appId: metaAppId, appSecret: metaAppSecret };
};

/** The Facebook Login dialog for one inbox; `state` binds the answer to this workspace, inbox and admin. */
export const startMetaLogin = async (
  services: LoginServices,
  identity: { workspaceId: string; userId: string | null },
  platform: MetaLoginPlatform,
  inboxId: string,
): Promise<{ url: string }> => {
  if (!identity.userId) throw new AppError("forbidden", "Facebook Login needs a signed-in member, not an API key.");
  const { appId } = requireMetaApp(services.config);
  const [inbox] = await services.db
    .select({ type: inboxes.type })
    .from(inboxes)
    .where(and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, identity.workspaceId), isNull(inboxes.deletedAt)));
  if (!inbox) throw new AppError("not_found", "No inbox with this id.");
  if (inbox.type !== platform) throw new AppError("bad_request", `This is a ${inbox.type} inbox, not a ${platform} one.`);
  const state = services.secrets.sign(STATE_PURPOSE, {
    workspaceId: identity.workspaceId,
    inboxId,
    userId: identity.userId,
    platform,
    expiresAt: Date.now() + STATE_TTL_MS,
  });
  const url = new URL(`https://www.facebook.com/${services.config.channels.metaGraphVersion}/dialog/oauth`);
  url.searchParams.set("client_id", appId);
  url.searchParams.set("redirect_uri", oauthCallbackUrl(services.config, platform));
  url.searchParams.set("state", state);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", SCOPES[platform].join(","));
  return { url: url.toString() };
};

const ZTokenAnswer = z.object({ access_token: z.string().min(1) });

const ZAccounts = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string().default(""),
      access_token: z.string().optional(),
      instagram_business_account: z.object({ id: z.string(), username: z.string().optional() }).optional(),
    }),
  ),
});

const listAccounts = async (context: ChannelContext, userToken: string) => {
  const answer = ZAccounts.safeParse(
    await graphGet(context, userToken, "me/accounts", {
      fields: "id,name,instagram_business_account{id,username}",
      limit: "100",
    }),
  );
  if (!answer.success) throw new ChannelSendError({ message: "Meta's list of pages was not readable.", retryable: true });
  return answer.data.data;
};

/** Where the callback sends the admin's browser: back to the inbox settings, with a selection or an error code. */
export type MetaLoginOutcome = { inboxId: string | null; selectionToken: string } | { inboxId: string | null; error: string };

/**
 * Facebook returns the browser here: the state is checked, the code exchanged for a user token,
 * that token for a long-lived one, and the pages listed to make sure there is something to pick.
 */
export const completeMetaLogin = async (
  services: LoginServices,
  context: ChannelContext,
  platform: MetaLoginPlatform,
  query: { state?: string | undefined; code?: string | undefined; error?: string | undefined },
): Promise<MetaLoginOutcome> => {
  const raw = query.state ? services.secrets.verify(STATE_PURPOSE, query.state) : null;
  const state = ZState.safeParse(raw);
  if (!state.success || state.data.platform !== platform || state.data.expiresAt < Date.now()) {
    return { inboxId: null, error: "invalid_state" };
  }
  const { inboxId } = state.data;
  if (query.error || !query.code) return { inboxId, error: "access_denied" };
  const { appId, appSecret } = requireMetaApp(services.config);
  try {
    const shortLived = ZTokenAnswer.parse(
      await graphGet(context, undefined, "oauth/access_token", {
        client_id: appId,
        client_secret: appSecret,
        redirect_uri: oauthCallbackUrl(services.config, platform),
        code: query.code,
      }),
    );
    const longLived = ZTokenAnswer.parse(
      await graphGet(context, undefined, "oauth/access_token", {
        grant_type: "fb_exchange_token",
        client_id: appId,
        client_secret: appSecret,
        fb_exchange_token: shortLived.access_token,
      }),
    );
    const pages = await listAccounts(context, longLived.access_token);
    if (pages.length === 0) return { inboxId, error: "no_pages" };
    const selection: Selection = {
      purpose: SELECTION_PURPOSE,
      workspaceId: state.data.workspaceId,
      inboxId,
      userId: state.data.userId,
      platform,
      userToken: longLived.access_token,
      nonce: randomBytes(12).toString("base64url"),
      expiresAt: Date.now() + SELECTION_TTL_MS,
    };
    return { inboxId, selectionToken: sealSelection(services.secrets, selection) };
  } catch (error) {
    context.logger.warn({ err: error, inboxId }, "Facebook Login could not be completed");
    return { inboxId, error: "login_failed" };
  }
};

/** The pages the admin may pick from, with their linked Instagram accounts. */
export const listSelectablePages = async (
  services: Pick<AppServices, "secrets">,
  context: ChannelContext,
  identity: { workspaceId: string; userId: string | null },
  selectionToken: string,
): Promise<TMetaPage[]> => {
  const selection = openSelection(services, selectionToken, { workspaceId: identity.workspaceId, userId: identity.userId });
  const pages = await listAccounts(context, selection.userToken);
  return pages.map((page) => ({
    id: page.id,
    name: page.name,
    instagram: page.instagram_business_account
      ? { id: page.instagram_business_account.id, username: page.instagram_business_account.username ?? null }
      : null,
  }));
};
