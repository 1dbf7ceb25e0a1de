import type { ContentType } from "../../messages/messages.tables.ts";
import {
  type ChannelContext,
  type ChannelInbox,
  ChannelSendError,
  type InboundMedia,
  type NormalizedEvent,
} from "../channel-adapter.ts";
import { fallbackText } from "../render-fallback.ts";
import { accessTokenOf, callGraph, ZGraphMediaUrl } from "./whatsapp-graph.ts";
import { type TWhatsAppMessage, type TWhatsAppStatus, ZWhatsAppEnvelope } from "./whatsapp-webhook.ts";

type MessageEvent = Extract<NormalizedEvent, { kind: "message" }>;
type MediaKind = "image" | "video" | "audio" | "voice" | "document" | "sticker";

const MEDIA_CONTENT_TYPE: Record<MediaKind, ContentType> = {
  image: "image",
  video: "video",
  audio: "audio",
  voice: "audio",
  document: "file",
  sticker: "image",
};

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "application/pdf": "pdf",
};

const fileNameFor = (kind: MediaKind, media: { id: string; mime_type?: string | undefined; filename?: string | undefined }) => {
  if (media.filename) return media.filename;
  const mime = media.mime_type?.split(";")[0]?.trim() ?? "";
  return `${kind}-${media.id}.${EXTENSIONS[mime] ?? "bin"}`;
};

const MEDIA_TIMEOUT_MS = 60_000;

/**
 * WhatsApp media come in two steps: the media id resolves to a short-lived URL, which is then
 * downloaded with the same bearer token. The lookup runs here so a media id WhatsApp no longer
 * knows leaves a readable note instead of failing the whole message forever.
 */
const resolveMedia = async (
  kind: MediaKind,
  media: { id: string; mime_type?: string | undefined; filename?: string | undefined },
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<{ media: InboundMedia } | { note: string }> => {
  const token = accessTokenOf(inbox);
  let url: string;
  try {
    url = (await callGraph(context, token, { path: media.id }, ZGraphMediaUrl)).url;
  } catch (error) {
    if (error instanceof ChannelSendError && !error.retryable && error.code !== "channel_auth") {
      return { note: `[The ${kind} could not be fetched from WhatsApp: ${error.message}]` };
    }
    throw error;
  }
  return {
    media: {
      fileName: fileNameFor(kind, media),
      fetch: async () => {
        const response = await context.http({ url, headers: { authorization: `Bearer ${token}` }, timeoutMs: MEDIA_TIMEOUT_MS });
        if (response.status >= 400) {
          throw new ChannelSendError({
            message: `WhatsApp answered ${response.status} for the ${kind} download.`,
            retryable: true,
          });
        }
        return { bytes: response.body, contentType: response.headers.get("content-type") ?? media.mime_type };
      },
    },
  };
};

const mediaOf = (message: TWhatsAppMessage): { kind: MediaKind; media: NonNullable<TWhatsAppMessage["image"]> } | null => {
  for (const kind of ["image", "video", "audio", "voice", "document", "sticker"] as const) {
    const media = message[kind];
    if (message.type === kind && media) return { kind, media };
  }
  return null;
};

const contactCardOf = (card: NonNullable<TWhatsAppMessage["contacts"]>[number]) => ({
  name: card.name?.formatted_name ?? card.name?.first_name ?? card.phones?.[0]?.phone ?? "Contact",
  phones: (card.phones ?? []).flatMap((phone) => (phone.phone ? [phone.phone] : [])),
  emails: (card.emails ?? []).flatMap((email) => (email.email ? [email.email] : [])),
});

const postback = (payload: string, title: string) => ({
  contentType: "text" as const,
  text: title,
  content: { postback: { payload, title } },
});

/** The part of a message event that depends on its type; a type Parley cannot show becomes a readable note. */
const messageBody = async (
  message: TWhatsAppMessage,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<Pick<MessageEvent, "contentType" | "text" | "content" | "media">> => {
  const media = mediaOf(message);
  if (media) {
    const resolved = await resolveMedia(media.kind, media.media, inbox, context);
    const caption = media.media.caption ?? "";
    if ("note" in resolved) return { contentType: "text", text: [caption, resolved.note].filter(Boolean).join("\n") };
    return {
      contentType: MEDIA_CONTENT_TYPE[media.kind],
      text: caption,
      content:
        media.kind === "voice" || message.audio?.voice ? { voice: true } : media.kind === "sticker" ? { sticker: true } : {},
      media: [resolved.media],
    };
  }
  switch (message.type) {
    case "text":
      return { contentType: "text", text: message.text?.body ?? "" };
    case "location": {
      const location = message.location;
      if (!location) break;
      const content = {
        latitude: location.latitude,
        longitude: location.longitude,
        ...(location.name ? { name: location.name } : {}),
        ...(location.address ? { address: location.address } : {}),
      };
      return { contentType: "location", text: [location.name, location.address].filter(Boolean).join(", "), content };
    }
    case "contacts": {
      const cards = (message.contacts ?? []).map(contactCardOf);
      const [first] = cards;
      if (!first) break;
      const text = cards.map((card) => fallbackText({ contentType: "contact_card", text: "", content: card })).join("\n\n");
      // The first card is the structured content; the text lists every card the contact shared.
      return { contentType: "contact_card", text, content: first };
    }
    case "interactive": {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (reply) return postback(reply.id, reply.title);
      break;
    }
    case "button":
      // A template's quick-reply button: WhatsApp sends its label and the payload set when the template was sent.
      if (message.button) return postback(message.button.payload ?? message.button.text, message.button.text);
      break;
    default:
      break;
  }
  const reason = message.errors?.[0]?.title;
  return {
    contentType: "text",
    text: `[The contact sent a ${message.type === "unsupported" ? "kind of" : message.type} message Parley cannot show${reason ? ` (${reason})` : ""}. Ask them to send it another way.]`,
    content: { unsupported: message.type },
  };
};

const statusEvent = (status: TWhatsAppStatus): NormalizedEvent[] => {
  if (status.status !== "sent" && status.status !== "delivered" && status.status !== "read" && status.status !== "failed")
    return [];
  const error = status.errors?.[0];
  const reason = error
    ? [error.title ?? error.message, error.error_data?.details].filter(Boolean).join(": ") +
      (error.code ? ` [code ${error.code}]` : "")
    : null;
  return [
    {
      kind: "status",
      externalId: status.id,
      status: status.status,
      error: status.status === "failed" ? reason || "WhatsApp could not deliver it." : null,
      ...(status.timestamp ? { at: new Date(Number(status.timestamp) * 1000) } : {}),
    },
  ];
};

export const parseWhatsAppEnvelope = async (
  payload: unknown,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<NormalizedEvent[]> => {
  const envelope = ZWhatsAppEnvelope.parse(payload);
  if (envelope.kind === "status") return statusEvent(envelope.status);
  const { message, profileName } = envelope;
  const profile = { name: profileName, phone: `+${message.from}` };
  if (message.type === "reaction" && message.reaction) {
    // An empty emoji is WhatsApp's way of saying the reaction was removed.
    return [
      { kind: "profile", sourceId: message.from, profile },
      {
        kind: "reaction",
        sourceId: message.from,
        targetExternalId: message.reaction.message_id,
        emoji: message.reaction.emoji ? message.reaction.emoji : null,
      },
    ];
  }
  const body = await messageBody(message, inbox, context);
  return [
    {
      kind: "message",
      externalId: message.id,
      direction: "in",
      sourceId: message.from,
      profile,
      ...body,
      replyToExternalId: message.context?.id ?? null,
      ...(message.timestamp ? { sentAt: new Date(Number(message.timestamp) * 1000) } : {}),
    },
  ];
};
