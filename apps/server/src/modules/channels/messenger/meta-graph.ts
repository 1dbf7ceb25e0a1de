import { z } from "zod";
import { AppError } from "../../../platform/errors.ts";
import { type ChannelContext, ChannelSendError, type PlatformHttpResponse, type SenderProfile } from "../channel-adapter.ts";
import { type GraphHost, graphSendError, graphUrl } from "../meta/meta-common.ts";

/**
 * Graph API calls for Messenger and Instagram. Tokens travel in the Authorization header, never
 * in URLs, so they stay out of proxies' and Meta's access logs.
 */

export type GraphQuery = Record<string, string | undefined>;

const withQuery = (url: string, query: GraphQuery = {}): string => {
  const search = new URLSearchParams(
    Object.entries(query).flatMap(([key, value]): Array<[string, string]> => (value === undefined ? [] : [[key, value]])),
  ).toString();
  return search ? `${url}?${search}` : url;
};

const checked = (response: PlatformHttpResponse): unknown => {
  if (response.status >= 400) throw graphSendError(response);
  return response.json();
};

export const graphGet = async (
  context: ChannelContext,
  token: string | undefined,
  path: string,
  query: GraphQuery = {},
  host: GraphHost = "facebook",
): Promise<unknown> =>
  checked(
    await context.http({
      method: "GET",
      url: withQuery(graphUrl(context.config, path, host), query),
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    }),
  );

export const graphPost = async (
  context: ChannelContext,
  token: string,
  path: string,
  body: { json?: unknown; form?: Record<string, string> },
  host: GraphHost = "facebook",
): Promise<unknown> =>
  checked(
    await context.http({
      method: "POST",
      url: graphUrl(context.config, path, host),
      headers: { authorization: `Bearer ${token}` },
      ...(body.form ? { form: body.form } : { json: body.json ?? {} }),
    }),
  );

export const graphDelete = async (
  context: ChannelContext,
  token: string,
  path: string,
  host: GraphHost = "facebook",
): Promise<unknown> =>
  checked(
    await context.http({
      method: "DELETE",
      url: graphUrl(context.config, path, host),
      headers: { authorization: `Bearer ${token}` },
    }),
  );

/**
 * Meta signs webhooks with the app secret; without it every delivery would be refused, so a
 * connect that could never receive a message is refused up front.
 */
export const requireMetaWebhookSecret = (context: ChannelContext): void => {
  if (!context.config.channels.metaAppSecret) {
    throw new AppError(
      "bad_request",
      "Set META_APP_SECRET (and META_VERIFY_TOKEN for the webhook setup) before connecting a Meta channel: Parley verifies every webhook with it.",
      undefined,
      { reason: "meta_app_secret_missing" },
    );
  }
};

/** The page webhook fields Parley needs; Instagram rides on the same page subscription. */
export const PAGE_SUBSCRIBED_FIELDS = [
  "messages",
  "messaging_postbacks",
  "message_echoes",
  "message_deliveries",
  "message_reads",
  "message_reactions",
  "message_edits",
].join(",");

/** Makes Meta deliver the page's (and its Instagram account's) messaging webhooks to our app. */
export const subscribePage = async (context: ChannelContext, pageId: string, pageToken: string) =>
  graphPost(context, pageToken, `${pageId}/subscribed_apps`, { form: { subscribed_fields: PAGE_SUBSCRIBED_FIELDS } });

const PROFILE_TTL_MS = 6 * 60 * 60 * 1000;
const PROFILE_CACHE_MAX = 5_000;
const profileCache = new Map<string, { profile: SenderProfile | undefined; expiresAt: number }>();

/**
 * A contact's name and picture, looked up at most every few hours per contact: the lookup is
 * optional (people can hide their profile), so a failure never holds up their message.
 */
export const cachedProfile = async (
  context: ChannelContext,
  key: string,
  lookup: () => Promise<SenderProfile | undefined>,
): Promise<SenderProfile | undefined> => {
  const cached = profileCache.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.profile;
  let profile: SenderProfile | undefined;
  try {
    profile = await lookup();
  } catch (error) {
    context.logger.info({ err: error, key }, "the platform did not share this contact's profile");
    profile = undefined;
  }
  if (profileCache.size >= PROFILE_CACHE_MAX) profileCache.clear();
  profileCache.set(key, { profile, expiresAt: Date.now() + PROFILE_TTL_MS });
  return profile;
};

const ZSendAnswer = z.object({ message_id: z.string().min(1) });

/** Sends one Send API request and returns Meta's message id. */
export const postSendApi = async (
  context: ChannelContext,
  token: string,
  pageId: string,
  body: Record<string, unknown>,
  host: GraphHost = "facebook",
): Promise<string> => {
  const answer = ZSendAnswer.safeParse(await graphPost(context, token, `${pageId}/messages`, { json: body }, host));
  // Not retried: Meta may have delivered it, and a second send would show twice.
  if (!answer.success)
    throw new ChannelSendError({ message: "Meta accepted the message without a message id.", retryable: false });
  return answer.data.message_id;
};
