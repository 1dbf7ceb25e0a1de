import { z } from "zod";
import { zPlainText } from "./text.schemas.ts";

const ZLabelColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, { message: 'Use a colour as "#rrggbb".' })
  .transform((value) => value.toLowerCase());

const ZLabelDescription = z
  .string()
  .trim()
  .max(200, { message: "Use at most 200 characters." })
  .refine((value) => !value.includes("\u0000"), { message: "Remove the NUL character from this text." });

/** Conversations carry the label by name; names are unique per workspace whatever their case. */
const ZLabelName = zPlainText({ max: 50, emptyMessage: "Name the label." });

export const ZLabel = z.object({
  id: z.uuid(),
  name: z.string(),
  color: z.string(),
  description: z.string(),
  createdAt: z.iso.datetime(),
});
export type TLabel = z.infer<typeof ZLabel>;

export const ZLabelList = z.object({ items: z.array(ZLabel) });

export const ZLabelParams = z.strictObject({ id: z.uuid({ message: "must be a label id" }) });

export const ZCreateLabelRequest = z.strictObject({
  name: ZLabelName,
  color: ZLabelColor.default("#868e96"),
  description: ZLabelDescription.default(""),
});
export type TCreateLabelRequest = z.infer<typeof ZCreateLabelRequest>;

/** A new name is applied to every conversation of the workspace carrying the old one. */
export const ZUpdateLabelRequest = z.strictObject({
  name: ZLabelName.optional(),
  color: ZLabelColor.optional(),
  description: ZLabelDescription.optional(),
});
export type TUpdateLabelRequest = z.infer<typeof ZUpdateLabelRequest>;
