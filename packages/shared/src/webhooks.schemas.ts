import { z } from "zod";

/** The domain events a workspace may subscribe an outgoing webhook to. */
export const WEBHOOK_EVENTS = [
  "conversation.created",
  "conversation.updated",
  "conversation.status_changed",
  "conversation.assigned",
  "message.created",
  "message.updated",
  "contact.created",
  "contact.updated",
] as const;
export type TWebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

const zWebhookUrl = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .max(2_000)
  .refine((value) => !/^[a-z]+:\/\/[^/]*@/i.test(value), "must not contain credentials");

export const ZCreateWebhookRequest = z.strictObject({
  url: zWebhookUrl,
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
});
export type TCreateWebhookRequest = z.infer<typeof ZCreateWebhookRequest>;

export const ZUpdateWebhookRequest = z.strictObject({
  url: zWebhookUrl.optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).optional(),
  isEnabled: z.boolean().optional(),
});
export type TUpdateWebhookRequest = z.infer<typeof ZUpdateWebhookRequest>;

export const ZWebhookParams = z.strictObject({ id: z.uuid({ message: "must be a webhook id" }) });
export const ZWebhookDeliveryParams = z.strictObject({
  id: z.uuid({ message: "must be a webhook id" }),
  deliveryId: z.uuid({ message: "must be a delivery id" }),
});

/** A subscription as listed: the secret is never part of it. */
export const ZWebhook = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  isEnabled: z.boolean(),
  consecutiveFailures: z.number().int(),
  disabledAt: z.iso.datetime().nullable(),
  disabledReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TWebhook = z.infer<typeof ZWebhook>;

export const ZWebhookList = z.object({ items: z.array(ZWebhook) });

/** Returned by create and rotate only: the signing secret, shown this once. */
export const ZWebhookWithSecret = ZWebhook.extend({ secret: z.string() });
export type TWebhookWithSecret = z.infer<typeof ZWebhookWithSecret>;

export const ZWebhookDelivery = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  event: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempt: z.number().int(),
  responseStatus: z.number().int().nullable(),
  /** The first kilobyte of the receiver's answer. */
  responseExcerpt: z.string().nullable(),
  latencyMs: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
});
export type TWebhookDelivery = z.infer<typeof ZWebhookDelivery>;

export const ZWebhookDeliveryQuery = z.strictObject({
  /** The last delivery id of the previous page. */
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const ZWebhookDeliveryPage = z.object({ items: z.array(ZWebhookDelivery), nextCursor: z.uuid().nullable() });
