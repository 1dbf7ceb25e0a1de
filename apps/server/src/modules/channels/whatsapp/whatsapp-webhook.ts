import { z } from "zod";
import { type WebhookEnvelope, WebhookRejected, type WebhookRequest } from "../channel-adapter.ts";

/**
 * The WhatsApp Cloud API webhook (`object: whatsapp_business_account`): every number of every
 * business account on the Meta app posts to one URL, so each message and status is split into its
 * own envelope, routed by `metadata.phone_number_id` and deduplicated by WhatsApp's ids.
 * Shapes: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */

const ZMedia = z.looseObject({
  id: z.string(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
});

export const ZWhatsAppMessage = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().optional(),
  type: z.string(),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: ZMedia.optional(),
  video: ZMedia.optional(),
  audio: ZMedia.extend({ voice: z.boolean().optional() }).optional(),
  voice: ZMedia.optional(),
  document: ZMedia.optional(),
  sticker: ZMedia.extend({ animated: z.boolean().optional() }).optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  contacts: z
    .array(
      z.looseObject({
        name: z.looseObject({ formatted_name: z.string().optional(), first_name: z.string().optional() }).optional(),
        phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
        emails: z.array(z.looseObject({ email: z.string().optional() })).optional(),
      }),
    )
    .optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.looseObject({ payload: z.string().optional(), text: z.string() }).optional(),
  reaction: z.looseObject({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
});
export type TWhatsAppMessage = z.infer<typeof ZWhatsAppMessage>;

export const ZWhatsAppStatus = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z
    .array(
      z.looseObject({
        code: z.number().optional(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.looseObject({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type TWhatsAppStatus = z.infer<typeof ZWhatsAppStatus>;

const ZContactProfile = z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string().optional() }).optional() });

const ZChangeValue = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }).optional(),
  contacts: z.array(ZContactProfile).optional(),
  messages: z.array(ZWhatsAppMessage).optional(),
  statuses: z.array(ZWhatsAppStatus).optional(),
});

const ZWebhookBody = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string().optional(), value: ZChangeValue })),
    }),
  ),
});

/** What one envelope stores: a single message with its sender's profile, or a single status. */
export const ZWhatsAppEnvelope = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("message"),
    message: ZWhatsAppMessage,
    profileName: z.string().nullable(),
  }),
  z.object({ kind: z.literal("status"), status: ZWhatsAppStatus }),
]);
export type TWhatsAppEnvelope = z.infer<typeof ZWhatsAppEnvelope>;

export const whatsappEnvelopes = (request: WebhookRequest): WebhookEnvelope[] => {
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new WebhookRejected("The body is not valid JSON.");
  }
  const parsed = ZWebhookBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookRejected(
      `The body is not a WhatsApp Business Account webhook${issue ? ` (${issue.path.join(".") || "body"}: ${issue.message})` : ""}.`,
    );
  }
  const envelopes: WebhookEnvelope[] = [];
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      const phoneNumberId = change.value.metadata?.phone_number_id;
      // Account-level changes (template reviews, quality ratings) name no number; templates are synced instead.
      if (!phoneNumberId) continue;
      const names = new Map((change.value.contacts ?? []).map((contact) => [contact.wa_id, contact.profile?.name ?? null]));
      for (const message of change.value.messages ?? []) {
        const payload: TWhatsAppEnvelope = { kind: "message", message, profileName: names.get(message.from) ?? null };
        envelopes.push({ inbox: { channelKey: phoneNumberId }, dedupeKey: message.id, payload });
      }
      for (const status of change.value.statuses ?? []) {
        const payload: TWhatsAppEnvelope = { kind: "status", status };
        envelopes.push({ inbox: { channelKey: phoneNumberId }, dedupeKey: `${status.id}:${status.status}`, payload });
      }
    }
  }
  return envelopes;
};
