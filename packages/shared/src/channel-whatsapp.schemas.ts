import { z } from "zod";

/** A WhatsApp message template as last synced from the business account, with WhatsApp's review status. */
export const ZWhatsAppTemplate = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  /** approved | pending | rejected | paused | disabled … (lowercase); only approved ones can be sent. */
  status: z.string(),
  /** WhatsApp's component definitions: HEADER, BODY with {{n}} parameters, FOOTER, BUTTONS. */
  components: z.array(z.unknown()),
  syncedAt: z.iso.datetime(),
});
export type TWhatsAppTemplate = z.infer<typeof ZWhatsAppTemplate>;

export const ZWhatsAppTemplateListQuery = z.strictObject({
  /** Only templates with this status, e.g. `approved` for the ones an agent may send. */
  status: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z_]{1,30}$/, { message: "use a status such as approved, pending or rejected" })
    .optional(),
  /** Matches the template name. */
  q: z
    .string()
    .trim()
    .max(200)
    .refine((value) => !value.includes("\u0000"), { message: "Remove the NUL character from this text." })
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid({ message: "use the nextCursor value from the previous page" }).optional(),
});
export type TWhatsAppTemplateListQuery = z.infer<typeof ZWhatsAppTemplateListQuery>;

export const ZWhatsAppTemplateList = z.object({
  items: z.array(ZWhatsAppTemplate),
  nextCursor: z.uuid().nullable(),
});
export type TWhatsAppTemplateList = z.infer<typeof ZWhatsAppTemplateList>;

export const ZWhatsAppTemplateSyncResult = z.object({
  /** Templates WhatsApp reported, stored or updated. */
  synced: z.number().int(),
  /** Templates no longer on the business account, removed here too. */
  removed: z.number().int(),
});
export type TWhatsAppTemplateSyncResult = z.infer<typeof ZWhatsAppTemplateSyncResult>;
