import { z } from "zod";

/**
 * The structured part of a message (`content`), per content type. Stored once; each channel
 * renders what it can and degrades the rest to readable text (see the server's channel fallbacks).
 */
const zLabel = (max: number) => z.string().trim().min(1, { message: "Fill this in." }).max(max);

/** A button either posts a reply back (`payload`) or opens a link (`url`). */
export const ZMessageButton = z
  .strictObject({
    title: zLabel(80),
    payload: z.string().max(1000).optional(),
    url: z.url({ protocol: /^https?$/, message: "Use an http(s) link." }).optional(),
  })
  .refine((button) => button.payload !== undefined || button.url !== undefined, {
    message: "A button needs a payload to post back or a url to open.",
  });
export type TMessageButton = z.infer<typeof ZMessageButton>;

export const ZButtonsContent = z.strictObject({
  /** quick_replies disappear once one is chosen; buttons stay. */
  style: z.enum(["buttons", "quick_replies"]).default("buttons"),
  buttons: z.array(ZMessageButton).min(1).max(13),
});

export const ZMessageCard = z.strictObject({
  title: zLabel(80),
  subtitle: z.string().max(400).optional(),
  imageUrl: z.url({ protocol: /^https?$/ }).optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
  buttons: z.array(ZMessageButton).max(3).default([]),
});
export type TMessageCard = z.infer<typeof ZMessageCard>;

export const ZCardsContent = z.strictObject({ cards: z.array(ZMessageCard).min(1).max(10) });

export const ZLocationContent = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(200).optional(),
  address: z.string().max(500).optional(),
});

export const ZContactCardContent = z.strictObject({
  name: zLabel(200),
  phones: z.array(z.string().max(50)).max(10).default([]),
  emails: z.array(z.string().max(320)).max(10).default([]),
});

export const ZFormField = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, { message: "Use lowercase letters, digits and _ (max 40)." }),
  label: zLabel(120),
  type: z.enum(["text", "email", "tel", "number", "textarea", "select", "checkbox", "date"]),
  required: z.boolean().default(false),
  options: z.array(zLabel(120)).max(50).optional(),
});
export const ZFormContent = z.strictObject({
  fields: z.array(ZFormField).min(1).max(20),
  submitLabel: z.string().max(40).optional(),
});

/** A reply the contact gave by choosing a button, quick reply or list row (stored on their message). */
export const ZPostbackContent = z.strictObject({ postback: z.strictObject({ payload: z.string(), title: z.string() }) });

/** A platform template (WhatsApp) sent outside the reply window; parameters fill its {{n}} slots. */
export const ZTemplateContent = z.strictObject({
  template: z.strictObject({
    name: z.string().min(1).max(512),
    language: z.string().min(2).max(15),
    /** Body parameters in order ({{1}}, {{2}} …). */
    bodyParameters: z.array(z.string().max(1024)).max(20).default([]),
    /** A media header: the attachment id of an uploaded image, video or document, or a link. */
    headerMedia: z
      .strictObject({ kind: z.enum(["image", "video", "document"]), attachmentId: z.uuid().optional(), link: z.url().optional() })
      .optional(),
    headerText: z.array(z.string().max(60)).max(1).optional(),
    /** Parameters of dynamic URL or quick-reply buttons, by button index. */
    buttonParameters: z
      .array(z.strictObject({ index: z.number().int().min(0).max(9), value: z.string().max(2000) }))
      .max(10)
      .default([]),
  }),
});

/** Which schema an agent's or bot's `content` must satisfy for each content type. */
export const CONTENT_SCHEMAS = {
  buttons: ZButtonsContent,
  cards: ZCardsContent,
  location: ZLocationContent,
  contact_card: ZContactCardContent,
  form: ZFormContent,
} as const;
