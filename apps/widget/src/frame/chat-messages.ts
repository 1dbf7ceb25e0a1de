import type { TMessage } from "@parley/shared";
import type { AckError } from "./connection.ts";

/**
 * The visitor's message list: stored messages from the server plus the visitor's own messages
 * still on their way. A message is known by its id, and a pending one by its clientId, so the
 * ack, the live `message.created` and a resync after a reconnect never show it twice.
 */

export type LocalStatus = "uploading" | "sending" | "failed";

export type PendingUpload = { file: File; previewUrl: string | null; progress: number; attachmentId: string | null };

export type ChatMessage = TMessage & {
  /** Only on the visitor's own messages not yet stored. */
  local?: { status: LocalStatus; error: AckError | null; upload: PendingUpload | null; triggerFiringId: string | null };
  /** A proactive greeting shown before the conversation exists. */
  greeting?: { senderName: string; avatarUrl: string | null };
};

const bySeq = (a: ChatMessage, b: ChatMessage) => a.seq - b.seq || a.createdAt.localeCompare(b.createdAt);

/** Adds or replaces stored messages; a stored message replaces the pending one with its clientId. */
/** Receipts only move forward: a late "delivered" must not undo a "read" (the frame marks read at once). */
const RECEIPT_ORDER: Partial<Record<TMessage["deliveryStatus"], number>> = { sent: 1, delivered: 2, read: 3 };

const keepFurthestReceipt = (shown: ChatMessage | undefined, incoming: TMessage): TMessage => {
  const before = shown ? RECEIPT_ORDER[shown.deliveryStatus] : undefined;
  const after = RECEIPT_ORDER[incoming.deliveryStatus];
  return shown && before !== undefined && after !== undefined && before > after
    ? { ...incoming, deliveryStatus: shown.deliveryStatus }
    : incoming;
};

export const mergeMessages = (current: readonly ChatMessage[], incoming: readonly TMessage[]): ChatMessage[] => {
  if (incoming.length === 0) return [...current];
  const shownById = new Map(current.filter((message) => !message.local).map((message) => [message.id, message]));
  const ids = new Map(incoming.map((message) => [message.id, keepFurthestReceipt(shownById.get(message.id), message)]));
  const clientIds = new Set(incoming.map((message) => message.clientId).filter((clientId) => clientId !== null));
  const kept = current.filter(
    (message) => !ids.has(message.id) && !(message.local && message.clientId !== null && clientIds.has(message.clientId)),
  );
  const stored = kept.filter((message) => !message.local);
  const pending = kept.filter((message) => message.local);
  // Pending messages stay at the end, in the order the visitor wrote them.
  return [...[...stored, ...ids.values()].sort(bySeq), ...pending];
};

export const updateLocal = (
  current: readonly ChatMessage[],
  clientId: string,
  change: (local: NonNullable<ChatMessage["local"]>) => Partial<NonNullable<ChatMessage["local"]>>,
): ChatMessage[] =>
  current.map((message) =>
    message.local && message.clientId === clientId
      ? { ...message, local: { ...message.local, ...change(message.local) } }
      : message,
  );

/** Highest stored seq: where a resync after a reconnect starts. */
export const lastStoredSeq = (messages: readonly ChatMessage[]): number =>
  messages.reduce((highest, message) => (message.local || message.greeting ? highest : Math.max(highest, message.seq)), 0);

/** Messages the visitor has not seen: from agents and bots, newer than `seenSeq`. */
export const countUnread = (messages: readonly ChatMessage[], seenSeq: number): number =>
  messages.filter((message) => isFromTeam(message) && !message.local && message.seq > seenSeq).length;

export const isFromTeam = (message: TMessage): boolean => message.senderType === "agent" || message.senderType === "bot";

export const newClientId = (): string =>
  typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** A visitor's message as shown before the server stored it. */
export const pendingMessage = (input: {
  clientId: string;
  text: string;
  conversationId: string | null;
  upload: PendingUpload | null;
  triggerFiringId: string | null;
}): ChatMessage => ({
  id: `local-${input.clientId}`,
  seq: Number.MAX_SAFE_INTEGER,
  conversationId: input.conversationId ?? "",
  senderType: "contact",
  senderId: null,
  contentType: input.upload ? "file" : "text",
  text: input.text,
  content: {},
  isPrivate: false,
  replyToId: null,
  clientId: input.clientId,
  deliveryStatus: "pending",
  deliveryError: null,
  attachments: [],
  reactions: [],
  editedAt: null,
  deletedAt: null,
  createdAt: new Date().toISOString(),
  local: {
    status: input.upload ? "uploading" : "sending",
    error: null,
    upload: input.upload,
    triggerFiringId: input.triggerFiringId,
  },
});

/** Reactions as the visitor sees them: one chip per emoji with its count. */
export const groupReactions = (reactions: TMessage["reactions"]): Array<{ emoji: string; count: number }> => {
  const counts = new Map<string, number>();
  for (const reaction of reactions) counts.set(reaction.emoji, (counts.get(reaction.emoji) ?? 0) + 1);
  return [...counts].map(([emoji, count]) => ({ emoji, count }));
};
