import type { TInstagramLoginConnectInput } from "@parley/shared";
import { z } from "zod";
import { AppError } from "../../../platform/errors.ts";
import { type ChannelConnection, type ChannelContext, type ChannelInbox, ChannelSendError } from "../channel-adapter.ts";
import { graphDelete, graphGet } from "../messenger/meta-graph.ts";
import { graphSendError, graphUrl } from "../meta/meta-common.ts";

/**
 * Instagram API with Instagram Login: the account's own long-lived Instagram User token on
 * graph.instagram.com, no Facebook page in between. The same Messenger-platform payloads flow
 * both ways; only the host, the token and the `me` path differ.
 * https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api
 */

/** Webhook fields an Instagram Login account subscribes to (`instagram_business_manage_messages`). */
export const INSTAGRAM_LOGIN_SUBSCRIBED_FIELDS = ["messages", "messaging_postbacks", "messaging_seen", "message_reactions"].join(
  ",",
);

/** Meta's lifetime for a long-lived Instagram User token, used when the answer does not say. */
export const LONG_LIVED_TOKEN_MS = 60 * 24 * 60 * 60 * 1000;

export const isInstagramLoginInbox = (inbox: Pick<ChannelInbox, "config">): boolean =>
  inbox.config.connectionMode === "instagram_login";

export const instagramTokenOf = (inbox: ChannelInbox): string => {
  const token = inbox.secrets.accessToken;
  if (!token)
    throw new ChannelSendError({
      message: "This inbox has no Instagram token; sign in with Instagram again.",
      retryable: false,
      code: "channel_auth",
    });
  return token;
};

/** Without the Instagram app secret no webhook of these accounts could be verified, nor a token exchanged. */
export const requireInstagramApp = (context: Pick<ChannelContext, "config">): { appId: string; appSecret: string } => {
  const { instagramAppId, instagramAppSecret } = context.config.channels;
  if (!instagramAppId || !instagramAppSecret) {
    throw new AppError(
      "bad_request",
      "Instagram Login needs INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET (the Instagram app's own id and secret); set them, or connect through a Facebook page.",
    );
  }
  return { appId: instagramAppId, appSecret: instagramAppSecret };
};

const ZMe = z.object({
  /** The Instagram professional account id: what webhooks name in `entry.id`. */
  user_id: z.union([z.string().min(1), z.number()]).transform(String),
  username: z.string().optional(),
  name: z.string().optional(),
  profile_picture_url: z.string().optional(),
});

const ZSuccess = z.object({ success: z.boolean() });

/** Makes Meta deliver this account's messaging webhooks to our Instagram app. */
const subscribeAccount = async (context: ChannelContext, token: string): Promise<void> => {
  const url = new URL(graphUrl(context.config, "me/subscribed_apps", "instagram"));
  url.searchParams.set("subscribed_fields", INSTAGRAM_LOGIN_SUBSCRIBED_FIELDS);
  const response = await context.http({ method: "POST", url: url.toString(), headers: { authorization: `Bearer ${token}` } });
  if (response.status >= 400) throw graphSendError(response);
  const answer = ZSuccess.safeParse(response.json());
  if (!answer.success || !answer.data.success) {
    throw new ChannelSendError({ message: "Instagram did not confirm the webhook subscription.", retryable: true });
  }
};

/** Checks the token with Instagram, subscribes the account to webhooks and describes the connection. */
export const connectInstagramLogin = async (
  input: TInstagramLoginConnectInput,
  context: ChannelContext,
): Promise<ChannelConnection> => {
  requireInstagramApp(context);
  const me = ZMe.safeParse(
    await graphGet(context, input.accessToken, "me", { fields: "user_id,username,name,profile_picture_url" }, "instagram"),
  );
  if (!me.success) {
    throw new ChannelSendError({ message: "Instagram did not say which account this token belongs to.", retryable: false });
  }
  await subscribeAccount(context, input.accessToken);
  const now = Date.now();
  const username = me.data.username ?? null;
  return {
    channelKey: me.data.user_id,
    config: {
      connectionMode: "instagram_login",
      instagramId: me.data.user_id,
      username,
      accountName: me.data.name ?? null,
      profilePictureUrl: me.data.profile_picture_url ?? null,
      tokenRefreshedAt: new Date(now).toISOString(),
      tokenExpiresAt: new Date(now + (input.expiresIn ? input.expiresIn * 1000 : LONG_LIVED_TOKEN_MS)).toISOString(),
    },
    secrets: { accessToken: input.accessToken },
    displayName: username ? `@${username}` : (me.data.name ?? me.data.user_id),
  };
};

/** Stops this account's webhooks (best effort: the token may already be revoked). */
export const unsubscribeInstagramLogin = async (inbox: ChannelInbox, context: ChannelContext): Promise<void> => {
  await graphDelete(context, instagramTokenOf(inbox), "me/subscribed_apps", "instagram");
};

const ZTokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive().optional(),
});

/**
 * Instagram's token endpoints live outside the versioned Graph paths and take the token in the
 * query string (as documented); their answers are Graph-shaped.
 */
const instagramTokenCall = async (
  context: ChannelContext,
  path: "access_token" | "refresh_access_token",
  query: Record<string, string>,
): Promise<{ accessToken: string; expiresIn: number | undefined }> => {
  const url = new URL(`${context.config.channels.instagramGraphUrl}/${path}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const response = await context.http({ method: "GET", url: url.toString() });
  if (response.status >= 400) throw graphSendError(response);
  const answer = ZTokenAnswer.safeParse(response.json());
  if (!answer.success) throw new ChannelSendError({ message: "Instagram answered without a token.", retryable: true });
  return { accessToken: answer.data.access_token, expiresIn: answer.data.expires_in };
};

/** A short-lived token (one hour) for a long-lived one (60 days). */
export const exchangeForLongLivedToken = (context: ChannelContext, shortLivedToken: string) =>
  instagramTokenCall(context, "access_token", {
    grant_type: "ig_exchange_token",
    client_secret: requireInstagramApp(context).appSecret,
    access_token: shortLivedToken,
  });

/** Another 60 days for a long-lived token at least 24 hours old that has not expired yet. */
export const refreshLongLivedToken = (context: ChannelContext, token: string) =>
  instagramTokenCall(context, "refresh_access_token", { grant_type: "ig_refresh_token", access_token: token });
