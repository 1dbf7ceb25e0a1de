import { z } from "zod";
import { AppError } from "../../../platform/errors.ts";
import { type ChannelAdapter, ChannelSendError } from "../channel-adapter.ts";
import { isValidMetaSignature, metaHandshake } from "../meta/meta-common.ts";
import { callGraph, phoneNumberIdOf, ZGraphPhoneNumber, ZGraphSuccess } from "./whatsapp-graph.ts";
import { parseWhatsAppEnvelope } from "./whatsapp-inbound.ts";
import { sendWhatsApp, WHATSAPP_LIMITS } from "./whatsapp-outbound.ts";
import { whatsappEnvelopes } from "./whatsapp-webhook.ts";

/** WhatsApp's customer-service window: free-form replies only within 24 hours of the contact's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

const zGraphId = (label: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{5,30}$/, { message: `The ${label} is the number Meta shows for it (digits only).` });

const ZConnectInput = z.strictObject({
  phoneNumberId: zGraphId("phone number id"),
  wabaId: zGraphId("WhatsApp Business Account id"),
  accessToken: z.string().trim().min(20, { message: "Paste the system user's permanent access token." }).max(1000),
});

const isTemplate = (content: Record<string, unknown>) => content.template !== undefined && content.template !== null;

export const whatsappAdapter: ChannelAdapter<typeof ZConnectInput> = {
  platform: "whatsapp",
  inboxType: "whatsapp",
  sharedWebhook: true,
  connectInput: ZConnectInput,
  channelKeyOf: (input) => input.phoneNumberId,
  capabilities: {
    maxTextLength: WHATSAPP_LIMITS.text,
    // Up to 3 reply buttons, or a list of 10 rows.
    buttons: WHATSAPP_LIMITS.listRows,
    quickReplies: WHATSAPP_LIMITS.replyButtons,
    cards: true,
    templates: true,
    location: true,
    contactCard: true,
    media: ["image", "video", "audio", "file"],
    reactions: true,
    edits: false,
    markdown: "platform",
  },

  connect: async (input, _inbox, context, webhookUrl) => {
    const number = await callGraph(
      context,
      input.accessToken,
      { path: input.phoneNumberId, query: { fields: "display_phone_number,verified_name" } },
      ZGraphPhoneNumber,
    );
    const displayPhoneNumber = number.display_phone_number ?? input.phoneNumberId;
    const verifiedName = number.verified_name ?? null;
    // Subscribing the app to the business account is what makes WhatsApp deliver its messages; with a
    // verify token configured, the account's webhook is pointed at this Parley too.
    const verifyToken = context.config.channels.metaVerifyToken;
    await callGraph(
      context,
      input.accessToken,
      {
        method: "POST",
        path: `${input.wabaId}/subscribed_apps`,
        json: verifyToken ? { override_callback_uri: webhookUrl, verify_token: verifyToken } : {},
      },
      ZGraphSuccess,
    );
    return {
      channelKey: input.phoneNumberId,
      config: { phoneNumberId: input.phoneNumberId, wabaId: input.wabaId, displayPhoneNumber, verifiedName },
      secrets: { accessToken: input.accessToken },
      displayName: verifiedName ? `${displayPhoneNumber} · ${verifiedName}` : displayPhoneNumber,
    };
  },
  // No disconnect call: the app stays subscribed to the business account, whose other numbers may
  // be connected to other inboxes; webhooks for a disconnected number are dropped at ingest.

  handshake: (request, context) => metaHandshake(request, context.config.channels.metaVerifyToken),

  envelopes: whatsappEnvelopes,

  verify: (request, _inbox, context) =>
    isValidMetaSignature(request.rawBody, request.headers["x-hub-signature-256"], context.config.channels.metaAppSecret),

  parse: parseWhatsAppEnvelope,

  send: sendWhatsApp,

  checkSendable: (outbound) => {
    if (isTemplate(outbound.content)) return;
    const lastInboundAt = outbound.lastInboundAt?.getTime() ?? null;
    if (lastInboundAt !== null && Date.now() - lastInboundAt < WHATSAPP_WINDOW_MS) return;
    throw new AppError(
      "outside_messaging_window",
      lastInboundAt === null
        ? "This contact has not written to this WhatsApp number yet, so WhatsApp only accepts an approved template. Pick a template to start the conversation."
        : "More than 24 hours have passed since this contact last wrote, so WhatsApp only accepts an approved template. Pick a template to reopen the conversation.",
    );
  },

  markRead: async (externalIds, inbox, context) => {
    // Marking the latest message read marks every earlier one in the chat read too.
    const latest = externalIds.at(-1);
    if (!latest) return;
    const token = inbox.secrets.accessToken;
    if (!token)
      throw new ChannelSendError({ message: "This WhatsApp inbox has no access token.", retryable: false, code: "channel_auth" });
    await callGraph(
      context,
      token,
      {
        method: "POST",
        path: `${phoneNumberIdOf(inbox)}/messages`,
        json: { messaging_product: "whatsapp", status: "read", message_id: latest },
      },
      ZGraphSuccess,
    );
  },
};
