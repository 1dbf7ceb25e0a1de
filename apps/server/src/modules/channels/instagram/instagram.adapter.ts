import { ZMetaPageConnectInput } from "@parley/shared";
import { z } from "zod";
import { type ChannelAdapter, ChannelSendError } from "../channel-adapter.ts";
import { pageIdOf, pageTokenOf } from "../messenger/messenger.adapter.ts";
import { cachedProfile, graphGet, requireMetaWebhookSecret, subscribePage } from "../messenger/meta-graph.ts";
import { checkMetaSendable, type MetaSendLimits, sendMetaMessage } from "../messenger/meta-messaging.send.ts";
import { metaEnvelopes, parseMessagingEvent } from "../messenger/meta-messaging.webhook.ts";
import { resolvePageToken } from "../messenger/meta-page-selection.ts";
import { isValidMetaSignature, metaHandshake } from "../meta/meta-common.ts";

/**
 * Instagram professional accounts linked to a Facebook page: webhooks arrive app-wide as
 * `object: "instagram"` routed by the Instagram account id; replies go through the page's
 * Send API with the page token (Messenger API for Instagram).
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

export const instagramAdapter: ChannelAdapter<typeof ZMetaPageConnectInput> = {
  platform: "instagram",
  inboxType: "instagram",
  sharedWebhook: true,
  connectInput: ZMetaPageConnectInput,
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

  // No unsubscribe on disconnect: the page subscription may also carry a Messenger inbox.

  handshake: (request, context) => metaHandshake(request, context.config.channels.metaVerifyToken),

  envelopes: (request) => metaEnvelopes(request, "instagram"),

  verify: (request, _inbox, context) =>
    isValidMetaSignature(request.rawBody, request.headers["x-hub-signature-256"], context.config.channels.metaAppSecret),

  parse: async (payload, inbox, context) =>
    parseMessagingEvent(payload, {
      inbox,
      context,
      profileOf: (igsid) =>
        cachedProfile(context, `${inbox.id}:${igsid}`, async () => {
          const profile = ZProfile.parse(
            await graphGet(context, pageTokenOf(inbox), igsid, { fields: "name,username,profile_pic" }),
          );
          return { name: profile.name || profile.username || null, avatarUrl: profile.profile_pic ?? null };
        }),
    }),

  checkSendable: checkMetaSendable(INSTAGRAM_LIMITS),

  send: async (outbound, inbox, context) =>
    sendMetaMessage(outbound, { pageId: pageIdOf(inbox), token: pageTokenOf(inbox) }, context, INSTAGRAM_LIMITS),
};
