import type { Permission } from "@parley/shared";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "../../../platform/errors.ts";
import type { AppServices } from "../../../platform/services.ts";
import type { AuditActor } from "../../audit/audit.service.ts";
import { inboxes } from "../../inboxes/inboxes.tables.ts";
import { findActiveMembership } from "../../workspaces/workspaces.service.ts";
import { type ChannelContext, ChannelSendError } from "../channel-adapter.ts";
import { connectChannel } from "../connections.service.ts";
import { exchangeForLongLivedToken, requireInstagramApp } from "./instagram-graph.ts";

/**
 * Business Login for Instagram: the admin signs in with Instagram and grants Parley its messaging
 * permissions; the callback swaps the code for a short-lived token, that for a long-lived one, and
 * connects the inbox with it. `state` binds the answer to the workspace, inbox and admin that
 * started, for 15 minutes, and the admin must still be allowed to manage inboxes when it returns.
 * https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
 */

const STATE_PURPOSE = "channels:instagram-login-state";
const STATE_TTL_MS = 15 * 60 * 1000;
const SCOPES = ["instagram_business_basic", "instagram_business_manage_messages"];
const MANAGE_INBOXES: Permission = "inboxes.manage";

const ZState = z.object({
  workspaceId: z.uuid(),
  inboxId: z.uuid(),
  userId: z.uuid(),
  expiresAt: z.number(),
});

type LoginServices = Pick<AppServices, "db" | "config" | "logger" | "secrets" | "realtime">;

export const isInstagramLoginConfigured = (config: AppServices["config"]): boolean =>
  Boolean(config.channels.instagramAppId && config.channels.instagramAppSecret);

export const instagramLoginCallbackUrl = (config: AppServices["config"]): string =>
  `${config.publicUrl}/api/v1/channels/instagram-login/oauth/callback`;

/** Instagram's authorization window for one Instagram inbox. */
export const startInstagramLogin = async (
  services: Pick<AppServices, "db" | "config" | "secrets">,
  identity: { workspaceId: string; userId: string | null },
  inboxId: string,
): Promise<{ url: string }> => {
  if (!identity.userId) throw new AppError("forbidden", "Instagram Login needs a signed-in member, not an API key.");
  const { appId } = requireInstagramApp(services);
  const [inbox] = await services.db
    .select({ type: inboxes.type })
    .from(inboxes)
    .where(and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, identity.workspaceId), isNull(inboxes.deletedAt)));
  if (!inbox) throw new AppError("not_found", "No inbox with this id.");
  if (inbox.type !== "instagram") throw new AppError("bad_request", `This is a ${inbox.type} inbox, not an Instagram one.`);
  const state = services.secrets.sign(STATE_PURPOSE, {
    workspaceId: identity.workspaceId,
    inboxId,
    userId: identity.userId,
    expiresAt: Date.now() + STATE_TTL_MS,
  });
  const url = new URL(`${services.config.channels.instagramLoginUrl}/oauth/authorize`);
  url.searchParams.set("client_id", appId);
  url.searchParams.set("redirect_uri", instagramLoginCallbackUrl(services.config));
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", SCOPES.join(","));
  url.searchParams.set("state", state);
  return { url: url.toString() };
};

const ZCodeGrant = z.object({ access_token: z.string().min(1), user_id: z.union([z.string(), z.number()]).optional() });
/** Documented as `{ data: [grant] }`; the endpoint has also been seen answering the grant itself. */
const ZCodeAnswer = z.union([z.object({ data: z.array(ZCodeGrant).min(1) }), ZCodeGrant]);
const ZInstagramOAuthError = z.looseObject({
  error_message: z.string().optional(),
  error: z.looseObject({ message: z.string().optional() }).optional(),
});

/** The authorization code for a short-lived Instagram User token (one hour). */
const exchangeCode = async (context: ChannelContext, code: string): Promise<string> => {
  const { appId, appSecret } = requireInstagramApp(context);
  const response = await context.http({
    method: "POST",
    url: `${context.config.channels.instagramApiUrl}/oauth/access_token`,
    form: {
      client_id: appId,
      client_secret: appSecret,
      grant_type: "authorization_code",
      redirect_uri: instagramLoginCallbackUrl(context.config),
      code,
    },
  });
  if (response.status >= 400) {
    const error = ZInstagramOAuthError.safeParse(response.json());
    const message = error.success ? (error.data.error_message ?? error.data.error?.message) : undefined;
    throw new ChannelSendError({ message: message ?? `Instagram answered ${response.status}.`, retryable: false });
  }
  const answer = ZCodeAnswer.safeParse(response.json());
  if (!answer.success) throw new ChannelSendError({ message: "Instagram answered without a token.", retryable: false });
  const grant = "data" in answer.data ? answer.data.data[0] : answer.data;
  if (!grant) throw new ChannelSendError({ message: "Instagram answered without a token.", retryable: false });
  return grant.access_token;
};

/** Where the callback sends the admin's browser: the inbox settings, with an error code when it failed. */
export type InstagramLoginOutcome = { inboxId: string | null; error: string | null };

/**
 * Instagram returns the browser here: the state is checked, the admin's right to manage inboxes
 * checked again, the code exchanged, and the inbox connected (through the same path as any connect:
 * validated, audited, its webhooks subscribed).
 */
export const completeInstagramLogin = async (
  services: LoginServices,
  context: ChannelContext,
  query: { state?: string | undefined; code?: string | undefined; error?: string | undefined },
  client: { ip: string; userAgent: string | null },
): Promise<InstagramLoginOutcome> => {
  const raw = query.state ? services.secrets.verify(STATE_PURPOSE, query.state) : null;
  const state = ZState.safeParse(raw);
  if (!state.success || state.data.expiresAt < Date.now()) return { inboxId: null, error: "invalid_state" };
  const { inboxId, workspaceId, userId } = state.data;
  if (query.error || !query.code) return { inboxId, error: "access_denied" };
  const membership = await findActiveMembership(services.db, workspaceId, userId);
  if (!membership?.role.permissions.includes(MANAGE_INBOXES)) return { inboxId, error: "forbidden" };
  if (!isInstagramLoginConfigured(services.config)) return { inboxId, error: "not_configured" };
  let longLived: { accessToken: string; expiresIn: number | undefined };
  try {
    // Instagram appends `#_` to the redirect; browsers keep fragments out of the query, but be sure.
    const shortLived = await exchangeCode(context, query.code.replace(/#_$/, ""));
    longLived = await exchangeForLongLivedToken(context, shortLived);
  } catch (error) {
    context.logger.warn({ err: error, inboxId }, "Instagram Login could not exchange the code");
    return { inboxId, error: "login_failed" };
  }
  const actor: AuditActor = { type: "user", id: userId, label: "Instagram Login", ip: client.ip, userAgent: client.userAgent };
  try {
    await connectChannel(
      services,
      workspaceId,
      inboxId,
      {
        mode: "instagram_login",
        accessToken: longLived.accessToken,
        ...(longLived.expiresIn ? { expiresIn: longLived.expiresIn } : {}),
      },
      actor,
    );
  } catch (error) {
    context.logger.warn({ err: error, inboxId }, "Instagram Login could not connect the inbox");
    if (error instanceof AppError && error.code === "conflict") return { inboxId, error: "already_connected" };
    if (error instanceof AppError && error.code === "not_found") return { inboxId: null, error: "invalid_state" };
    return { inboxId, error: "connect_failed" };
  }
  return { inboxId, error: null };
};
