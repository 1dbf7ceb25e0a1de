import type { NormalizedOutbound } from "./channel-adapter.ts";

type Button = { title: string; payload?: string; url?: string };
type Card = { title: string; subtitle?: string; imageUrl?: string; url?: string; buttons?: Button[] };

const asButtons = (value: unknown): Button[] =>
  Array.isArray(value) ? value.filter((item): item is Button => typeof item?.title === "string") : [];

const buttonLine = (button: Button, index: number) => `${index + 1}. ${button.title}${button.url ? ` — ${button.url}` : ""}`;

/**
 * A readable text version of structured content, for channels that cannot show it (SMS, email
 * plain text, or a platform's limits exceeded). Numbered choices let the contact answer by number.
 */
export const fallbackText = (outbound: Pick<NormalizedOutbound, "contentType" | "text" | "content">): string => {
  const parts = outbound.text.trim() === "" ? [] : [outbound.text.trim()];
  const content = outbound.content;
  switch (outbound.contentType) {
    case "buttons": {
      parts.push(asButtons(content.buttons).map(buttonLine).join("\n"));
      break;
    }
    case "cards": {
      const cards = Array.isArray(content.cards) ? (content.cards as Card[]) : [];
      for (const card of cards) {
        const lines = [card.title, card.subtitle, card.url].filter(
          (line): line is string => typeof line === "string" && line !== "",
        );
        lines.push(...asButtons(card.buttons).map(buttonLine));
        parts.push(lines.join("\n"));
      }
      break;
    }
    case "location": {
      const { latitude, longitude, name, address } = content as {
        latitude?: number;
        longitude?: number;
        name?: string;
        address?: string;
      };
      const label = [name, address].filter(Boolean).join(", ");
      if (typeof latitude === "number" && typeof longitude === "number") {
        parts.push(
          `${label ? `${label}\n` : ""}https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`,
        );
      }
      break;
    }
    case "contact_card": {
      const { name, phones, emails } = content as { name?: string; phones?: string[]; emails?: string[] };
      parts.push([name, ...(phones ?? []), ...(emails ?? [])].filter(Boolean).join("\n"));
      break;
    }
    case "form": {
      const fields = Array.isArray(content.fields) ? (content.fields as Array<{ label?: string; required?: boolean }>) : [];
      parts.push(fields.map((field) => `- ${field.label ?? ""}${field.required ? " *" : ""}`).join("\n"));
      break;
    }
    default:
      break;
  }
  return parts.filter((part) => part !== "").join("\n\n");
};

/** Splits text into pieces a platform accepts, at paragraph, line or word boundaries where it can. */
export const splitText = (text: string, maxLength: number): string[] => {
  if (text.length <= maxLength) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxLength) {
    const window = rest.slice(0, maxLength);
    const cut = Math.max(window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" "));
    const at = cut > maxLength / 2 ? cut : maxLength;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest !== "") pieces.push(rest);
  return pieces;
};
