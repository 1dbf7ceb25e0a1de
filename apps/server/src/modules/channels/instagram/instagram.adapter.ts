import { ZInstagramConnectInput } from "@parley/shared";
import { z } from "zod";
import { type ChannelAdapter, ChannelSendError } from "../channel-adapter.ts";
import { pageIdOf, pageTokenOf } from "../messenger/messenger.adapter.ts";
import { cachedProfile, graphGet, requireMetaWebhookSecret, subscribePage } from "../messenger/meta-graph.ts";
import { checkMetaSendable, type MetaSendLimits, sendMetaMessage } from "../messenger/meta-messaging.send.ts";
import { metaEnvelopes, parseMessagingEvent } from "../messenger/meta-messaging.webhook.ts";
import { resolvePageToken } from "../messenger/meta-page-selection.ts";
import { isValidMetaSignature, metaHandshake } from "../meta/meta-common.ts";
import { connectInstagramLogin, instagramTokenOf, isInstagramLoginInbox, unsubscribeInstagramLogin } from "./instagram-graph.ts";

/**
 * Instagram professional accounts, connected one of two ways:
 * - linked to a Facebook page (Messenger API for Instagram): replies through the page's Send API
 *   on graph.facebook.com with the page token; webhooks signed with the Meta app secret;
 * - through Instagram Login (Instagram API with Instagram Login): the account's own token on
 *   graph.instagram.com, webhooks signed with the Instagram app secret.
 * Either way webhooks arrive app-wide as `object: "instagram"`, routed by the Instagram account id,
 * in the same Messenger-platform shapes.
 */

export const INSTAGRAM_LIMITS: MetaSendLimits = {
  platformName: "Instagram",
  maxTextLength: 1000,
  tags: ["HUMAN_AGENT"],
  // Instagram has no document attachments: files go as links.
  media: new Set(["image", "video", "audio"]),
};

const ZLinkedAccount = z.object({
  id: z.string(),
  name: z.string().default(""),
  instagram_business_account: z.object({ id: z.string(), username: z.string().optional() }).optional(),
});

const ZProfile = z.object({
  name: z.string().optional(),
  username: z.string().optional(),
  profile_pic: z.string().optional(),
});

export const instagramAdapter: ChannelAdapter<typeof ZInstagramConnectInput> = {
  platform: "instagram",
  inboxType: "instagram",
  sharedWebhook: true,
  connectInput: ZInstagramConnectInput,
  capabilities: {
    maxTextLength: INSTAGRAM_LIMITS.maxTextLength,
    buttons: 3,
    quickReplies: 13,
    cards: true,
    templates: false,
    location: false,
    contactCard: false,
    media: ["image", "video", "audio"],
    reactions: true,
    edits: false,
    markdown: "none",
  },

  connect: async (input, inbox, context) => {
    if ("mode" in input) return connectInstagramLogin(input, context);
    requireMetaWebhookSecret(context);
    const { pageToken, selectionNonce } = await resolvePageToken(input, inbox, context);
    const page = ZLinkedAccount.safeParse(
      await graphGet(context, pageToken, input.pageId, { fields: "id,name,instagram_business_account{id,username}" }),
    );
    if (!page.success || page.data.id !== input.pageId) {
      throw new ChannelSendError({ message: "This token does not belong to that page.", retryable: false });
    }
    const account = page.data.instagram_business_account;
    if (!account) {
      throw new ChannelSendError({
        message: `The page ${page.data.name || page.data.id} has no linked Instagram professional account; link one in the page settings first.`,
        retryable: false,
      });
    }
    // Instagram messaging webhooks only flow for pages subscribed to the app.
    await subscribePage(context, page.data.id, pageToken);
    return {
      channelKey: account.id,
      config: {
        connectionMode: "page",
        pageId: page.data.id,
        pageName: page.data.name,
        instagramId: account.id,
        username: account.username ?? null,
        selectionNonce,
      },
      secrets: { pageAccessToken: pageToken },
      displayName: account.username ? `@${account.username}` : page.data.name,
    };
  },

  // A page subscription may also carry a Messenger inbox, so only Instagram Login accounts unsubscribe.
  disconnect: async (inbox, context) => {
    if (isInstagramLoginInbox(inbox)) await unsubscribeInstagramLogin(inbox, context);
  },

  handshake: (request, context) => metaHandshake(request, context.config.channels.metaVerifyToken),

  envelopes: (request) => metaEnvelopes(request, "instagram"),

  // Instagram Login accounts belong to the Instagram app, which signs their webhooks with its own secret.
  verify: (request, inbox, context) =>
    isValidMetaSignature(
      request.rawBody,
      request.headers["x-hub-signature-256"],
      isInstagramLoginInbox(inbox) ? context.config.channels.instagramAppSecret : context.config.channels.metaAppSecret,
    ),

  parse: async (payload, inbox, context) => {
    const isLogin = isInstagramLoginInbox(inbox);
    const { metaAppId, instagramAppId } = context.config.channels;
    return parseMessagingEvent(payload, {
      inbox,
      context,
      ownAppIds: isLogin ? [instagramAppId, metaAppId] : [metaAppId],
      profileOf: (igsid) =>
        cachedProfile(context, `${inbox.id}:${igsid}`, async () => {
          const profile = ZProfile.parse(
            isLogin
              ? await graphGet(context, instagramTokenOf(inbox), igsid, { fields: "name,username,profile_pic" }, "instagram")
              : await graphGet(context, pageTokenOf(inbox), igsid, { fields: "name,username,profile_pic" }),
          );
          return { name: profile.name || profile.username || null, avatarUrl: profile.profile_pic ?? null };
        }),
    });
  },

  checkSendable: checkMetaSendable(INSTAGRAM_LIMITS),

  send: async (outbound, inbox, context) =>
    sendMetaMessage(
      outbound,
      isInstagramLoginInbox(inbox)
        ? { pageId: "me", token: instagramTokenOf(inbox), host: "instagram" }
        : { pageId: pageIdOf(inbox), token: pageTokenOf(inbox) },
      context,
      INSTAGRAM_LIMITS,
    ),
};
