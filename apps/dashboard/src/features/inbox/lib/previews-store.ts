import type { TMessage } from "@parley/shared";
import { useSyncExternalStore } from "react";

/**
 * The last message text per conversation, learnt from history loads and live events (the list
 * API carries no preview, so conversations not seen this session show their number instead).
 */
let previews: ReadonlyMap<string, string> = new Map();
const listeners = new Set<() => void>();

const previewText = (message: TMessage): string | null => {
  // The list previews what the contact and the contact-facing side said, not notes or status lines.
  if (message.deletedAt !== null || message.isPrivate || message.senderType === "system") return null;
  if (message.text.trim() !== "") return message.text.trim().replace(/\s+/g, " ").slice(0, 140);
  const file = message.attachments[0];
  return file ? `📎 ${file.fileName}` : null;
};

export const recordPreview = (message: TMessage) => {
  const text = previewText(message);
  if (text === null) return;
  const next = new Map(previews);
  next.set(message.conversationId, text);
  previews = next;
  for (const listener of listeners) listener();
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const usePreviews = (): ReadonlyMap<string, string> => useSyncExternalStore(subscribe, () => previews);
