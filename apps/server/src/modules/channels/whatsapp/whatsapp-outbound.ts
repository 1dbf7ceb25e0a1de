import { ZButtonsContent, ZCardsContent, ZContactCardContent, ZLocationContent, ZTemplateContent } from "@parley/shared";
import { z } from "zod";
import { signedAttachmentUrl } from "../../messages/attachment-urls.ts";
import { type ChannelContext, type ChannelInbox, ChannelSendError, type NormalizedOutbound } from "../channel-adapter.ts";
import { fallbackText, splitText } from "../render-fallback.ts";
import { sendPartOnce } from "../send-parts.ts";
import {
  accessTokenOf,
  callGraph,
  phoneNumberIdOf,
  uploadMedia,
  wabaIdOf,
  ZGraphSentMessage,
  ZGraphTemplate,
  ZGraphTemplatePage,
} from "./whatsapp-graph.ts";

/**
 * Turns an agent's or bot's message into WhatsApp Cloud API message objects, using what WhatsApp
 * can show (reply buttons, lists, link buttons, media headers) and readable text for the rest.
 * Limits: https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages
 */

export const WHATSAPP_LIMITS = {
  text: 4096,
  caption: 1024,
  interactiveBody: 1024,
  replyButtons: 3,
  replyButtonTitle: 20,
  replyButtonId: 256,
  listRows: 10,
  listRowTitle: 24,
  listRowId: 200,
  ctaDisplayText: 20,
} as const;

/** A message object without the common fields (`messaging_product`, `to`, `context`). */
type WhatsAppBody = Record<string, unknown> & { type: string };
/** A body waiting for an upload: the file is sent to WhatsApp's media store right before its message. */
type Pending =
  | { body: WhatsAppBody }
  | { upload: NormalizedOutbound["attachments"][number]; kind: MediaKind; caption: string | null };

type MediaKind = "image" | "video" | "audio" | "document";
type Button = z.infer<typeof ZButtonsContent>["buttons"][number];

const textBodies = (text: string): WhatsAppBody[] =>
  splitText(text, WHATSAPP_LIMITS.text)
    .filter((piece) => piece.trim() !== "")
    .map((body) => ({ type: "text", text: { preview_url: /https?:\/\//.test(body), body } }));

/** WhatsApp's accepted formats; anything else still arrives, as a document. */
const mediaKindOf = (contentType: string): MediaKind => {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "image/jpeg" || type === "image/png") return "image";
  if (type === "video/mp4" || type === "video/3gpp") return "video";
  if (["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"].includes(type)) return "audio";
  return "document";
};

const isReplyButton = (button: Button): button is Button & { payload: string } =>
  button.payload !== undefined && button.url === undefined && button.payload.length <= WHATSAPP_LIMITS.replyButtonId;

/** Reply buttons (≤3, short titles), else a list (≤10 rows), else one link button, else null for the text fallback. */
const interactiveAction = (buttons: Button[]): { type: string; action: Record<string, unknown> } | null => {
  const replies = buttons.filter(isReplyButton);
  if (replies.length === buttons.length) {
    if (
      buttons.length <= WHATSAPP_LIMITS.replyButtons &&
      buttons.every((b) => b.title.length <= WHATSAPP_LIMITS.replyButtonTitle)
    ) {
      return {
        type: "button",
        action: { buttons: replies.map((b) => ({ type: "reply", reply: { id: b.payload, title: b.title } })) },
      };
    }
    if (
      buttons.length <= WHATSAPP_LIMITS.listRows &&
      replies.every((b) => b.title.length <= WHATSAPP_LIMITS.listRowTitle && b.payload.length <= WHATSAPP_LIMITS.listRowId)
    ) {
      return {
        type: "list",
        action: { button: "Choose", sections: [{ rows: replies.map((b) => ({ id: b.payload, title: b.title })) }] },
      };
    }
    return null;
  }
  const [only] = buttons;
  if (buttons.length === 1 && only?.url && only.title.length <= WHATSAPP_LIMITS.ctaDisplayText) {
    return { type: "cta_url", action: { name: "cta_url", parameters: { display_text: only.title, url: only.url } } };
  }
  return null;
};

const buttonsBodies = (outbound: Pick<NormalizedOutbound, "text" | "content">): WhatsAppBody[] => {
  const parsed = ZButtonsContent.safeParse(outbound.content);
  const body = outbound.text.trim();
  const action = parsed.success ? interactiveAction(parsed.data.buttons) : null;
  if (!action || body === "" || body.length > WHATSAPP_LIMITS.interactiveBody) {
    return textBodies(fallbackText({ contentType: "buttons", text: outbound.text, content: outbound.content }));
  }
  return [{ type: "interactive", interactive: { type: action.type, body: { text: body }, action: action.action } }];
};

/** One message per card: its image as header, title and subtitle as body, its buttons when WhatsApp can show them. */
const cardsBodies = (outbound: Pick<NormalizedOutbound, "text" | "content">): WhatsAppBody[] => {
  const parsed = ZCardsContent.safeParse(outbound.content);
  if (!parsed.success) return textBodies(fallbackText({ contentType: "cards", text: outbound.text, content: outbound.content }));
  const bodies = textBodies(outbound.text);
  for (const card of parsed.data.cards) {
    const lines = [`*${card.title}*`, card.subtitle, card.url].filter((line): line is string => Boolean(line));
    const text = lines.join("\n");
    const action = card.buttons.length > 0 ? interactiveAction(card.buttons) : null;
    const header = card.imageUrl ? { type: "image", image: { link: card.imageUrl } } : null;
    if (action && text.length <= WHATSAPP_LIMITS.interactiveBody) {
      bodies.push({
        type: "interactive",
        interactive: {
          type: action.type,
          ...(header && action.type !== "list" ? { header } : {}),
          body: { text },
          action: action.action,
        },
      });
    } else if (card.buttons.length === 0 && card.imageUrl && text.length <= WHATSAPP_LIMITS.caption) {
      bodies.push({ type: "image", image: { link: card.imageUrl, caption: text } });
    } else {
      bodies.push(...textBodies(fallbackText({ contentType: "cards", text: "", content: { cards: [card] } })));
    }
  }
  return bodies;
};

const locationBodies = (outbound: Pick<NormalizedOutbound, "text" | "content">): WhatsAppBody[] => {
  const parsed = ZLocationContent.safeParse(outbound.content);
  if (!parsed.success) return textBodies(outbound.text);
  const { latitude, longitude, name, address } = parsed.data;
  const location = { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
  const label = [name, address].filter(Boolean).join(", ");
  const extra = outbound.text.trim() !== "" && outbound.text.trim() !== label ? textBodies(outbound.text) : [];
  return [...extra, { type: "location", location }];
};

const contactBodies = (outbound: Pick<NormalizedOutbound, "text" | "content">): WhatsAppBody[] => {
  const parsed = ZContactCardContent.safeParse(outbound.content);
  if (!parsed.success) return textBodies(outbound.text);
  const card = parsed.data;
  const contact = {
    name: { formatted_name: card.name, first_name: card.name },
    phones: card.phones.map((phone) => ({ phone, type: "CELL" })),
    emails: card.emails.map((email) => ({ email, type: "WORK" })),
  };
  const extra = outbound.text.trim() !== "" && outbound.text.trim() !== card.name ? textBodies(outbound.text) : [];
  return [...extra, { type: "contacts", contacts: [contact] }];
};

/** Attachments follow the text; a single captionable file carries a short text as its caption instead. */
const withAttachments = (outbound: NormalizedOutbound, bodies: WhatsAppBody[]): Pending[] => {
  const ready = bodies.map((body) => ({ body }));
  if (outbound.attachments.length === 0) return ready;
  const [first] = outbound.attachments;
  const firstKind = first ? mediaKindOf(first.contentType) : "document";
  const text = outbound.text.trim();
  const captionFits =
    outbound.contentType !== "buttons" &&
    outbound.contentType !== "cards" &&
    outbound.attachments.length === 1 &&
    firstKind !== "audio" &&
    text.length <= WHATSAPP_LIMITS.caption &&
    bodies.every((body) => body.type === "text");
  if (first && captionFits) return [{ upload: first, kind: firstKind, caption: text === "" ? null : text }];
  return [
    ...ready,
    ...outbound.attachments.map((file) => ({ upload: file, kind: mediaKindOf(file.contentType), caption: null })),
  ];
};

export const planWhatsAppMessages = (outbound: NormalizedOutbound): Pending[] => {
  let bodies: WhatsAppBody[];
  switch (outbound.contentType) {
    case "buttons":
      bodies = buttonsBodies(outbound);
      break;
    case "cards":
      bodies = cardsBodies(outbound);
      break;
    case "location":
      bodies = locationBodies(outbound);
      break;
    case "contact_card":
      bodies = contactBodies(outbound);
      break;
    default:
      bodies = textBodies(fallbackText(outbound));
      break;
  }
  return withAttachments(outbound, bodies);
};

type TemplateContent = z.infer<typeof ZTemplateContent>["template"];
/** Template components as far as button kinds go; WhatsApp's full definitions stay opaque. */
const ZTemplateButtons = z.array(
  z.looseObject({
    type: z.string().optional(),
    buttons: z.array(z.looseObject({ type: z.string().optional() })).optional(),
  }),
);

/** Which kind each template button is (URL or QUICK_REPLY), read from WhatsApp: the parameter shapes differ. */
const templateButtonTypes = async (
  context: ChannelContext,
  inbox: ChannelInbox,
  template: TemplateContent,
): Promise<Array<string | undefined>> => {
  const wabaId = wabaIdOf(inbox);
  if (!wabaId) return [];
  const answer = await callGraph(
    context,
    accessTokenOf(inbox),
    { path: `${wabaId}/message_templates`, query: { name: template.name, fields: "name,language,components" } },
    ZGraphTemplatePage,
  );
  const templates = answer.data.flatMap((item) => {
    const parsed = ZGraphTemplate.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const found = templates.find((item) => item.name === template.name && item.language === template.language);
  const buttons = ZTemplateButtons.safeParse(found?.components ?? []);
  return buttons.success
    ? (buttons.data.find((component) => component.type?.toUpperCase() === "BUTTONS")?.buttons ?? []).map((button) =>
        button.type?.toUpperCase(),
      )
    : [];
};

/** The `template` object of a template message: language, then header, body and button parameters in WhatsApp's shape. */
export const templateBody = async (
  content: Record<string, unknown>,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<WhatsAppBody> => {
  const parsed = ZTemplateContent.safeParse(content);
  if (!parsed.success) throw new ChannelSendError({ message: "The template content is not valid.", retryable: false });
  const template = parsed.data.template;
  const components: Array<Record<string, unknown>> = [];
  if (template.headerMedia) {
    const { kind, attachmentId, link } = template.headerMedia;
    const url = attachmentId ? signedAttachmentUrl(context, attachmentId) : link;
    if (!url) throw new ChannelSendError({ message: "The template's header needs a file or a link.", retryable: false });
    // A link: WhatsApp fetches template header media while it accepts the send, inside the link's lifetime.
    components.push({ type: "header", parameters: [{ type: kind, [kind]: { link: url } }] });
  } else if (template.headerText && template.headerText.length > 0) {
    components.push({ type: "header", parameters: template.headerText.map((text) => ({ type: "text", text })) });
  }
  if (template.bodyParameters.length > 0) {
    components.push({ type: "body", parameters: template.bodyParameters.map((text) => ({ type: "text", text })) });
  }
  if (template.buttonParameters.length > 0) {
    const types = await templateButtonTypes(context, inbox, template);
    for (const parameter of template.buttonParameters) {
      const isQuickReply = types[parameter.index] === "QUICK_REPLY";
      components.push({
        type: "button",
        sub_type: isQuickReply ? "quick_reply" : "url",
        index: String(parameter.index),
        parameters: [isQuickReply ? { type: "payload", payload: parameter.value } : { type: "text", text: parameter.value }],
      });
    }
  }
  return {
    type: "template",
    template: {
      name: template.name,
      language: { code: template.language },
      ...(components.length > 0 ? { components } : {}),
    },
  };
};

/** WhatsApp's re-engagement error, in words that tell the agent what to do. */
const explainWindow = (error: unknown): unknown =>
  error instanceof ChannelSendError && error.code === "outside_messaging_window"
    ? new ChannelSendError({
        message: `More than 24 hours have passed since the contact last wrote, so WhatsApp only accepts an approved template now; send one to reopen the conversation. (${error.message})`,
        retryable: false,
        code: error.code,
      })
    : error;

const sendBody = async (
  context: ChannelContext,
  inbox: ChannelInbox,
  outbound: NormalizedOutbound,
  body: WhatsAppBody,
  isFirst: boolean,
): Promise<string> => {
  const answer = await callGraph(
    context,
    accessTokenOf(inbox),
    {
      method: "POST",
      path: `${phoneNumberIdOf(inbox)}/messages`,
      json: {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: outbound.recipientId,
        // Only the first piece quotes the message replied to; the rest follow it.
        ...(isFirst && outbound.replyToExternalId ? { context: { message_id: outbound.replyToExternalId } } : {}),
        ...body,
      },
    },
    ZGraphSentMessage,
  ).catch((error: unknown) => {
    throw explainWindow(error);
  });
  const id = answer.messages[0]?.id ?? "";
  return id;
};

/**
 * Sends the message as one or more WhatsApp messages; the last one's id is kept, since WhatsApp
 * reports statuses per message and the last read implies the others were seen. Each is a part: a
 * retry sends (and uploads) only what an earlier attempt did not deliver.
 */
export const sendWhatsApp = async (
  outbound: NormalizedOutbound,
  inbox: ChannelInbox,
  context: ChannelContext,
): Promise<{ externalId: string }> => {
  const plan: Pending[] =
    outbound.content.template !== undefined
      ? [{ body: await templateBody(outbound.content, inbox, context) }]
      : planWhatsAppMessages(outbound);
  if (plan.length === 0) throw new ChannelSendError({ message: "There is nothing to send.", retryable: false });
  let externalId = "";
  for (const [index, pending] of plan.entries()) {
    externalId = await sendPartOnce(outbound, index, async () => {
      if (!("upload" in pending)) return sendBody(context, inbox, outbound, pending.body, index === 0);
      const { upload, kind, caption } = pending;
      const mediaId = await uploadMedia(context, inbox, {
        fileName: upload.fileName,
        contentType: upload.contentType,
        bytes: await upload.read(),
      });
      const body: WhatsAppBody = {
        type: kind,
        [kind]: {
          id: mediaId,
          ...(caption && kind !== "audio" ? { caption } : {}),
          ...(kind === "document" ? { filename: upload.fileName } : {}),
        },
      };
      return sendBody(context, inbox, outbound, body, index === 0);
    });
  }
  return { externalId };
};
