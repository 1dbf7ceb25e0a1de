import { z } from "zod";
import {
  type ChannelContext,
  type ChannelInbox,
  ChannelSendError,
  type InboundMedia,
  type NormalizedEvent,
  type SenderProfile,
  type WebhookEnvelope,
  WebhookRejected,
  type WebhookRequest,
} from "../channel-adapter.ts";
import { isRetryableStatus } from "../platform-http.ts";

/**
 * Messenger and Instagram deliver through the same Messenger Platform webhook shape:
 * `{ object, entry: [{ id, time, messaging: [event] }] }` with one event per message, postback,
 * delivery, read or reaction. Only the `object` and a few event kinds differ.
 * https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
 * https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook
 */

const ZId = z.object({ id: z.string().min(1) });

const ZAttachment = z.object({
  type: z.string(),
  title: z.string().nullish(),
  url: z.string().nullish(),
  payload: z
    .looseObject({
      url: z.string().nullish(),
      title: z.string().nullish(),
      sticker_id: z.union([z.number(), z.string()]).nullish(),
      coordinates: z.object({ lat: z.number(), long: z.number() }).nullish(),
      reel_video_id: z.union([z.number(), z.string()]).nullish(),
      /** Templates echoed from another app: their text and card titles are what the contact saw. */
      text: z.string().nullish(),
      elements: z.array(z.looseObject({ title: z.string().nullish(), subtitle: z.string().nullish() })).nullish(),
    })
    .nullish(),
});

const ZMessage = z.looseObject({
  mid: z.string().min(1),
  text: z.string().nullish(),
  is_echo: z.boolean().nullish(),
  is_deleted: z.boolean().nullish(),
  is_unsupported: z.boolean().nullish(),
  app_id: z.union([z.number(), z.string()]).nullish(),
  metadata: z.string().nullish(),
  quick_reply: z.object({ payload: z.string() }).nullish(),
  reply_to: z
    .object({
      mid: z.string().nullish(),
      story: z.object({ url: z.string().nullish(), id: z.string().nullish() }).nullish(),
    })
    .nullish(),
  attachments: z.array(ZAttachment).nullish(),
});

export const ZMessagingEvent = z.looseObject({
  sender: ZId,
  recipient: ZId,
  timestamp: z.number().optional(),
  message: ZMessage.optional(),
  postback: z.looseObject({ mid: z.string().nullish(), title: z.string().nullish(), payload: z.string().nullish() }).optional(),
  delivery: z.object({ mids: z.array(z.string()).nullish(), watermark: z.number().nullish() }).optional(),
  read: z.object({ watermark: z.number().nullish(), mid: z.string().nullish() }).optional(),
  reaction: z
    .object({
      mid: z.string(),
      action: z.enum(["react", "unreact"]),
      reaction: z.string().nullish(),
      emoji: z.string().nullish(),
    })
    .optional(),
  message_edit: z.object({ mid: z.string(), text: z.string().nullish(), num_edit: z.number().nullish() }).optional(),
});
export type TMessagingEvent = z.infer<typeof ZMessagingEvent>;

const ZWebhookBody = z.object({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
    }),
  ),
});

/** What an envelope carries: the channel's id (page or Instagram account) and one messaging event. */
export const ZMetaEnvelopePayload = z.object({ accountId: z.string(), event: ZMessagingEvent });

/** A redelivered event must hit the same key; an unsend reuses the message's mid, so kinds are prefixed. */
const dedupeKeyOf = (event: TMessagingEvent): string | null => {
  if (event.message) return `${event.message.is_deleted ? "deleted" : "message"}:${event.message.mid}`;
  if (event.postback) return `postback:${event.postback.mid ?? `${event.sender.id}:${event.timestamp ?? ""}`}`;
  if (event.reaction)
    return `reaction:${event.reaction.mid}:${event.sender.id}:${event.reaction.action}:${event.reaction.emoji ?? event.reaction.reaction ?? ""}:${event.timestamp ?? ""}`;
  if (event.message_edit) return `edit:${event.message_edit.mid}:${event.message_edit.num_edit ?? event.timestamp ?? ""}`;
  // Deliveries and reads only move statuses forward, so repeating them is harmless.
  return null;
};

/** Splits a Meta webhook into one envelope per messaging event, routed by the entry's account id. */
export const metaEnvelopes = (request: WebhookRequest, object: "page" | "instagram"): WebhookEnvelope[] => {
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new WebhookRejected("The body is not valid JSON.");
  }
  const body = ZWebhookBody.safeParse(json);
  if (!body.success) throw new WebhookRejected("The body is not a Meta webhook (object and entry are required).");
  if (body.data.object !== object) throw new WebhookRejected(`This endpoint receives "${object}" webhooks only.`);
  const envelopes: WebhookEnvelope[] = [];
  for (const entry of body.data.entry) {
    // `changes` (feed, comments) and `standby` (another app holds the thread) are not conversations we answer.
    for (const raw of entry.messaging ?? []) {
      const event = ZMessagingEvent.safeParse(raw);
      if (!event.success) throw new WebhookRejected("A messaging event has no sender or recipient.");
      envelopes.push({
        inbox: { channelKey: entry.id },
        dedupeKey: dedupeKeyOf(event.data),
        payload: { accountId: entry.id, event: event.data },
      });
    }
  }
  return envelopes;
};

const MEDIA_TIMEOUT_MS = 30_000;

const fileNameOf = (url: string, type: string, index: number): string => {
  const fallback = `${type}-${index + 1}`;
  try {
    const last = new URL(url).pathname.split("/").pop() ?? "";
    return /^[\w.-]{1,120}\.[a-z0-9]{2,5}$/i.test(last) ? last : fallback;
  } catch {
    return fallback;
  }
};

/** Meta's CDN links are signed and public for a while; the job copies them into our storage. */
export const fetchMetaMedia =
  (context: ChannelContext, url: string) => async (): Promise<{ bytes: Buffer; contentType?: string | undefined }> => {
    const response = await context.http({ url, timeoutMs: MEDIA_TIMEOUT_MS });
    if (response.status >= 400) {
      throw new ChannelSendError({
        message: `Meta's media link answered ${response.status}.`,
        retryable: isRetryableStatus(response.status),
      });
    }
    return { bytes: response.body, contentType: response.headers.get("content-type") ?? undefined };
  };

type MessageEvent = Extract<NormalizedEvent, { kind: "message" }>;
const MEDIA_TYPES = new Set(["image", "video", "audio", "file"]);

export type MessagingParseOptions = {
  inbox: ChannelInbox;
  context: ChannelContext;
  /** The contact's name and picture, looked up once per contact (not for echoes). */
  profileOf: (sourceId: string) => Promise<SenderProfile | undefined>;
  /** Apps whose echoes are Parley's own sends (default: the Meta app; Instagram Login adds the Instagram app). */
  ownAppIds?: ReadonlyArray<string | undefined>;
};

/** Text, media, location, links, stories and quick replies of one message, in Parley's terms. */
const messageBody = (
  message: NonNullable<TMessagingEvent["message"]>,
  context: ChannelContext,
): Pick<MessageEvent, "contentType" | "text" | "content" | "media"> => {
  const content: Record<string, unknown> = {};
  const media: InboundMedia[] = [];
  const lines: string[] = message.text ? [message.text] : [];
  let contentType: MessageEvent["contentType"] = "text";
  const mediaKinds = new Set<string>();
  const links: Array<{ type: string; url: string; title: string | null }> = [];
  (message.attachments ?? []).forEach((attachment, index) => {
    const url = attachment.payload?.url ?? attachment.url ?? null;
    if (attachment.type === "location" && attachment.payload?.coordinates) {
      contentType = "location";
      content.latitude = attachment.payload.coordinates.lat;
      content.longitude = attachment.payload.coordinates.long;
      if (attachment.title) content.name = attachment.title;
      return;
    }
    if (attachment.type === "story_mention") {
      content.storyMention = { url };
      return;
    }
    if (MEDIA_TYPES.has(attachment.type) && url) {
      if (attachment.payload?.sticker_id !== undefined && attachment.payload?.sticker_id !== null)
        content.stickerId = String(attachment.payload.sticker_id);
      mediaKinds.add(attachment.type);
      media.push({ fileName: fileNameOf(url, attachment.type, index), fetch: fetchMetaMedia(context, url) });
      return;
    }
    if (attachment.type === "template") {
      const shown = [
        attachment.payload?.text,
        ...(attachment.payload?.elements ?? []).map((element) =>
          [element.title, element.subtitle].filter((part) => typeof part === "string" && part !== "").join(" — "),
        ),
      ].filter((part): part is string => typeof part === "string" && part !== "");
      lines.push(...shown);
      return;
    }
    // Shared links, posts, reels and fallbacks: kept as a link the agent can open.
    const title = attachment.payload?.title ?? attachment.title ?? null;
    if (url) {
      links.push({ type: attachment.type, url, title });
      lines.push(title ? `${title}\n${url}` : url);
    }
  });
  if (links.length > 0) content.links = links;
  if (media.length > 0 && contentType === "text") {
    const [only] = [...mediaKinds];
    contentType = mediaKinds.size === 1 && (only === "image" || only === "video" || only === "audio") ? only : "file";
  }
  if (message.quick_reply) content.postback = { payload: message.quick_reply.payload, title: message.text ?? "" };
  if (message.reply_to?.story)
    content.storyReply = { url: message.reply_to.story.url ?? null, id: message.reply_to.story.id ?? null };
  if (message.is_unsupported) content.unsupported = true;
  return { contentType, text: lines.join("\n"), content, media };
};

/**
 * One messaging event as Parley events. Echoes are what the page sent: from another app (the
 * platform's own inbox) they become agent messages; our own sends are skipped, since the reply is
 * already stored (the app id says so even before the send call has returned our message id).
 */
export const parseMessagingEvent = async (payload: unknown, options: MessagingParseOptions): Promise<NormalizedEvent[]> => {
  const { event } = ZMetaEnvelopePayload.parse(payload);
  const { context } = options;
  const at = event.timestamp ? new Date(event.timestamp) : new Date();
  const ownAppIds = new Set(
    (options.ownAppIds ?? [context.config.channels.metaAppId]).filter((id): id is string => typeof id === "string"),
  );

  if (event.message?.is_deleted) return [{ kind: "delete", externalId: event.message.mid }];

  if (event.message) {
    const message = event.message;
    const isEcho = message.is_echo === true;
    if (isEcho && message.app_id !== undefined && message.app_id !== null && ownAppIds.has(String(message.app_id))) return [];
    const sourceId = isEcho ? event.recipient.id : event.sender.id;
    const profile = isEcho ? undefined : await options.profileOf(sourceId);
    return [
      {
        kind: "message",
        externalId: message.mid,
        direction: isEcho ? "echo" : "in",
        sourceId,
        ...(profile ? { profile } : {}),
        ...messageBody(message, context),
        replyToExternalId: message.reply_to?.mid ?? null,
        sentAt: at,
      },
    ];
  }

  if (event.postback) {
    const title = event.postback.title ?? event.postback.payload ?? "";
    const profile = await options.profileOf(event.sender.id);
    return [
      {
        kind: "message",
        externalId: event.postback.mid ?? `postback:${event.sender.id}:${event.timestamp ?? Date.now()}`,
        direction: "in",
        sourceId: event.sender.id,
        ...(profile ? { profile } : {}),
        contentType: "text",
        text: title,
        content: { postback: { payload: event.postback.payload ?? "", title } },
        sentAt: at,
      },
    ];
  }

  if (event.delivery) {
    return (event.delivery.mids ?? []).map((mid) => ({ kind: "status", externalId: mid, status: "delivered", at }));
  }

  if (event.read) {
    const events: NormalizedEvent[] = [];
    // Messenger reports a watermark (everything before it is read); Instagram names the message.
    if (event.read.mid) events.push({ kind: "status", externalId: event.read.mid, status: "read", at });
    const upTo = event.read.watermark ? new Date(event.read.watermark) : event.read.mid ? at : null;
    if (upTo) events.push({ kind: "read_up_to", sourceId: event.sender.id, at: upTo });
    return events;
  }

  if (event.reaction) {
    return [
      {
        kind: "reaction",
        sourceId: event.sender.id,
        targetExternalId: event.reaction.mid,
        emoji: event.reaction.action === "react" ? (event.reaction.emoji ?? event.reaction.reaction ?? null) : null,
      },
    ];
  }

  if (event.message_edit) {
    return [{ kind: "edit", externalId: event.message_edit.mid, text: event.message_edit.text ?? "" }];
  }
  return [];
};
