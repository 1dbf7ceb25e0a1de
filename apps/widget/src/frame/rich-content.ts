import type { TMessage } from "@parley/shared";
import { safeHref } from "./markdown.ts";

/**
 * Structured messages from agents and bots (shapes in @parley/shared message-content schemas),
 * read defensively: whatever does not fit is shown as the message text alone.
 */

export type RichButton = { title: string; payload: string | null; url: string | null };
export type RichCard = { title: string; subtitle: string; imageUrl: string | null; url: string | null; buttons: RichButton[] };
export type RichField = {
  key: string;
  label: string;
  type: "text" | "email" | "tel" | "number" | "textarea" | "select" | "checkbox" | "date";
  required: boolean;
  options: string[];
};

export type RichContent =
  | { kind: "buttons"; style: "buttons" | "quick_replies"; buttons: RichButton[] }
  | { kind: "cards"; cards: RichCard[] }
  | { kind: "form"; fields: RichField[]; submitLabel: string | null }
  | { kind: "csat"; scale: number }
  | { kind: "none" };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const textOf = (value: unknown): string => (typeof value === "string" ? value : "");
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const FIELD_TYPES = ["text", "email", "tel", "number", "textarea", "select", "checkbox", "date"] as const;

const readButton = (value: unknown): RichButton | null => {
  if (!isRecord(value) || !textOf(value.title)) return null;
  const url = typeof value.url === "string" ? safeHref(value.url) : null;
  const payload = typeof value.payload === "string" ? value.payload : null;
  return url || payload !== null ? { title: textOf(value.title), payload, url } : null;
};

const readButtons = (value: unknown): RichButton[] => listOf(value).flatMap((item) => readButton(item) ?? []);

const readCard = (value: unknown): RichCard | null => {
  if (!isRecord(value) || !textOf(value.title)) return null;
  return {
    title: textOf(value.title),
    subtitle: textOf(value.subtitle),
    imageUrl: typeof value.imageUrl === "string" ? safeHref(value.imageUrl) : null,
    url: typeof value.url === "string" ? safeHref(value.url) : null,
    buttons: readButtons(value.buttons),
  };
};

const readField = (value: unknown): RichField | null => {
  if (!isRecord(value) || !textOf(value.key) || !textOf(value.label)) return null;
  const type = FIELD_TYPES.find((item) => item === value.type) ?? "text";
  return {
    key: textOf(value.key),
    label: textOf(value.label),
    type,
    required: value.required === true,
    options: listOf(value.options).filter((option): option is string => typeof option === "string"),
  };
};

export const readRichContent = (message: Pick<TMessage, "contentType" | "content">): RichContent => {
  const { content } = message;
  switch (message.contentType) {
    case "buttons": {
      const buttons = readButtons(content.buttons);
      return buttons.length > 0
        ? { kind: "buttons", style: content.style === "quick_replies" ? "quick_replies" : "buttons", buttons }
        : { kind: "none" };
    }
    case "cards": {
      const cards = listOf(content.cards).flatMap((card) => readCard(card) ?? []);
      return cards.length > 0 ? { kind: "cards", cards } : { kind: "none" };
    }
    case "form": {
      if (content.kind === "csat") return { kind: "csat", scale: typeof content.scale === "number" ? content.scale : 5 };
      const fields = listOf(content.fields).flatMap((field) => readField(field) ?? []);
      return fields.length > 0 ? { kind: "form", fields, submitLabel: textOf(content.submitLabel) || null } : { kind: "none" };
    }
    default:
      return { kind: "none" };
  }
};

/** A form's answers as the message the visitor posts back: one "Label: value" line per field. */
export const formAnswerText = (fields: readonly RichField[], values: Record<string, string | boolean>): string =>
  fields
    .map((field) => {
      const value = values[field.key];
      const shown = typeof value === "boolean" ? (value ? "✓" : "✗") : (value ?? "").trim();
      return `${field.label}: ${shown || "—"}`;
    })
    .join("\n");
