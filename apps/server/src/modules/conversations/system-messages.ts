import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent, DomainEventHandler } from "../../platform/domain-events.ts";
import { appendMessage } from "../messages/append-message.ts";
import type { ConversationStatus } from "./conversations.tables.ts";

/** Who made a change, as shown in the timeline. */
export type ChangeAuthor = { type: "user" | "api_key" | "system"; id: string | null; name: string };

export const SYSTEM_AUTHOR: ChangeAuthor = { type: "system", id: null, name: "Parley" };

/** What a system message records; `text` is the readable line, `content` what clients render from. */
export type SystemNote = { text: string; content: Record<string, unknown> & { event: string } };

const STATUS_VERBS: Record<ConversationStatus, string> = {
  open: "Reopened",
  pending: "Marked pending",
  snoozed: "Snoozed",
  resolved: "Resolved",
  closed: "Closed",
};

export const statusChangedNote = (from: ConversationStatus, to: ConversationStatus, by: ChangeAuthor): SystemNote => ({
  text: `${STATUS_VERBS[to]} by ${by.name}`,
  content: { event: "status_changed", from, to, by },
});

export const snoozedNote = (from: ConversationStatus, until: Date | null, by: ChangeAuthor): SystemNote => ({
  text: until ? `Snoozed until ${until.toISOString()} by ${by.name}` : `Snoozed until the contact replies by ${by.name}`,
  content: { event: "status_changed", from, to: "snoozed", until: until?.toISOString() ?? null, by },
});

export const snoozeEndedNote = (): SystemNote => ({
  text: "Snooze ended",
  content: { event: "status_changed", from: "snoozed", to: "open", by: SYSTEM_AUTHOR, reason: "snooze_ended" },
});

export const autoClosedNote = (from: ConversationStatus, minutes: number): SystemNote => ({
  text: `Closed after ${minutes} minutes without activity`,
  content: { event: "status_changed", from, to: "closed", by: SYSTEM_AUTHOR, reason: "auto_close", minutes },
});

export const priorityChangedNote = (from: string, to: string, by: ChangeAuthor): SystemNote => ({
  text: `Priority set to ${to} by ${by.name}`,
  content: { event: "priority_changed", from, to, by },
});

export const labelsChangedNote = (added: readonly string[], removed: readonly string[], by: ChangeAuthor): SystemNote => {
  const parts = [
    ...(added.length > 0 ? [`added ${added.join(", ")}`] : []),
    ...(removed.length > 0 ? [`removed ${removed.join(", ")}`] : []),
  ];
  return { text: `Labels ${parts.join(" and ")} by ${by.name}`, content: { event: "labels_changed", added, removed, by } };
};

export const archivedNote = (isArchived: boolean, by: ChangeAuthor): SystemNote => ({
  text: `${isArchived ? "Archived" : "Unarchived"} by ${by.name}`,
  content: { event: isArchived ? "archived" : "unarchived", by },
});

/** Writes a note into the timeline through the message path, so it has a seq and reaches sockets. */
export const appendSystemMessage = async (
  tx: DatabaseOrTransaction,
  conversation: { workspaceId: string; id: string },
  note: SystemNote,
): Promise<DomainEvent[]> => {
  const appended = await appendMessage(tx, {
    workspaceId: conversation.workspaceId,
    conversationId: conversation.id,
    senderType: "system",
    senderId: null,
    contentType: "system",
    text: note.text,
    content: note.content,
  });
  return appended.events;
};

/** A contact writing into a resolved, closed or snoozed conversation reopens it: say so in the timeline. */
export const noteContactReopen: DomainEventHandler = async (tx, event) => {
  if (event.type !== "conversation.status_changed" || event.cause !== "contact") return undefined;
  const isReopen = event.from === "resolved" || event.from === "closed";
  const note: SystemNote = {
    text: isReopen ? "Reopened by a new message from the contact" : "Snooze ended by a new message from the contact",
    content: { event: "status_changed", from: event.from, to: event.to, by: { type: "contact", id: null, name: "Contact" } },
  };
  return appendSystemMessage(tx, { workspaceId: event.workspaceId, id: event.conversationId }, note);
};
