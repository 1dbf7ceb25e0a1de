import { ZMetaPageConnectInput } from "@parley/shared";
import { z } from "zod";
import { type ChannelAdapter, type ChannelInbox, ChannelSendError } from "../channel-adapter.ts";
import { isValidMetaSignature, metaHandshake } from "../meta/meta-common.ts";
import { cachedProfile, graphDelete, graphGet, requireMetaWebhookSecret, subscribePage } from "./meta-graph.ts";
import { checkMetaSendable, type MetaSendLimits, sendMetaMessage } from "./meta-messaging.send.ts";
import { metaEnvelopes, parseMessagingEvent } from "./meta-messaging.webhook.ts";
import { resolvePageToken } from "./meta-page-selection.ts";

/**
 * Facebook Messenger: one app-wide webhook (`object: "page"`) routed by page id; replies through
 * the Send API with the page's token, within Meta's messaging windows.
 */

export const MESSENGER_LIMITS: MetaSendLimits = {
  platformName: "Messenger",
  maxTextLength: 2000,
  tags: ["HUMAN_AGENT", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE"],
  media: new Set(["image", "video", "audio", "file"]),
};

const ZPage = z.object({ id: z.string(), name: z.string() });
const ZProfile = z.object({
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  profile_pic: z.string().optional(),
});

export const pageTokenOf = (inbox: ChannelInbox): string => {
  const token = inbox.secrets.pageAccessToken;
  if (!token)
    throw new ChannelSendError({
      message: "This inbox has no page token; reconnect it.",
      retryable: false,
      code: "channel_auth",
    });
  return token;
};

export const pageIdOf = (inbox: ChannelInbox): string =>
  typeof inbox.config.pageId === "string" ? inbox.config.pageId : (inbox.channelKey ?? "");

export const messengerAdapter: ChannelAdapter<typeof ZMetaPageConnectInput> = {
  platform: "messenger",
  inboxType: "messenger",
  sharedWebhook: true,
  connectInput: ZMetaPageConnectInput,
  channelKeyOf: (input) => input.pageId,
  capabilities: {
    maxTextLength: MESSENGER_LIMITS.maxTextLength,
    buttons: 3,
    quickReplies: 13,
    cards: true,
    templates: false,
    location: false,
    contactCard: false,
    media: ["image", "video", "audio", "file"],
    reactions: true,
    edits: false,
    markdown: "none",
  },

  connect: async (input, inbox, context) => {
    requireMetaWebhookSecret(context);
    const { pageToken, selectionNonce } = await resolvePageToken(input, inbox, context);
    const page = ZPage.safeParse(await graphGet(context, pageToken, input.pageId, { fields: "name,id" }));
    if (!page.success || page.data.id !== input.pageId) {
      throw new ChannelSendError({ message: "This token does not belong to that page.", retryable: false });
    }
    await subscribePage(context, page.data.id, pageToken);
    return {
      channelKey: page.data.id,
      config: { pageId: page.data.id, pageName: page.data.name, selectionNonce },
      secrets: { pageAccessToken: pageToken },
      displayName: page.data.name,
    };
  },

  disconnect: async (inbox, context) => {
    await graphDelete(context, pageTokenOf(inbox), `${pageIdOf(inbox)}/subscribed_apps`);
  },

  handshake: (request, context) => metaHandshake(request, context.config.channels.metaVerifyToken),

  envelopes: (request) => metaEnvelopes(request, "page"),

  verify: (request, _inbox, context) =>
    isValidMetaSignature(request.rawBody, request.headers["x-hub-signature-256"], context.config.channels.metaAppSecret),

  parse: async (payload, inbox, context) =>
    parseMessagingEvent(payload, {
      inbox,
      context,
      profileOf: (psid) =>
        cachedProfile(context, `${inbox.id}:${psid}`, async () => {
          const profile = ZProfile.parse(
            await graphGet(context, pageTokenOf(inbox), psid, { fields: "first_name,last_name,profile_pic" }),
          );
          const name = [profile.first_name, profile.last_name].filter(Boolean).join(" ");
          return { name: name || null, avatarUrl: profile.profile_pic ?? null };
        }),
    }),

  checkSendable: checkMetaSendable(MESSENGER_LIMITS),

  send: async (outbound, inbox, context) =>
    sendMetaMessage(outbound, { pageId: pageIdOf(inbox), token: pageTokenOf(inbox) }, context, MESSENGER_LIMITS),
};
