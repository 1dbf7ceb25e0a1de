import type { ConversationStatus } from "../modules/conversations/conversations.tables.ts";
import type { SenderType } from "../modules/messages/messages.tables.ts";
import type { DatabaseOrTransaction } from "./db.ts";
import type { AppServices } from "./services.ts";

/**
 * What happened in the conversation model. Handlers run inside the transaction that made the
 * change (so webhooks, mentions and routing are written with it or not at all); the realtime
 * fan-out runs after commit from the same list.
 */
export type DomainEvent =
  | { type: "conversation.created"; workspaceId: string; conversationId: string }
  | { type: "conversation.updated"; workspaceId: string; conversationId: string; changes: readonly string[] }
  | {
      type: "conversation.status_changed";
      workspaceId: string;
      conversationId: string;
      from: ConversationStatus;
      to: ConversationStatus;
      cause: "contact" | "agent" | "system";
    }
  | {
      type: "conversation.assigned";
      workspaceId: string;
      conversationId: string;
      assigneeId: string | null;
      teamId: string | null;
    }
  | {
      type: "message.created";
      workspaceId: string;
      conversationId: string;
      messageId: string;
      /** Carried, like the sender, so handlers that only care about some messages skip them without a query. */
      inboxId: string;
      senderType: SenderType;
      isPrivate: boolean;
    }
  | { type: "message.updated"; workspaceId: string; conversationId: string; messageId: string }
  | { type: "contact.created"; workspaceId: string; contactId: string }
  | { type: "contact.updated"; workspaceId: string; contactId: string };

export type DomainEventType = DomainEvent["type"];

export type DomainEventHandler = (
  tx: DatabaseOrTransaction,
  event: DomainEvent,
  services: Pick<AppServices, "config" | "secrets" | "mailer">,
  /** The events the change started with (many for a group of messages), so a handler can read for all at once. */
  initialEvents: readonly DomainEvent[],
) => Promise<DomainEvent[] | undefined>;

/**
 * Runs every handler for each event in the caller's transaction. A handler may answer with
 * follow-up events (an auto-assignment after a conversation is created); those run too, and all
 * events are returned for the after-commit fan-out.
 */
export const runDomainEventHandlers = async (
  tx: DatabaseOrTransaction,
  handlers: readonly DomainEventHandler[],
  events: readonly DomainEvent[],
  services: Pick<AppServices, "config" | "secrets" | "mailer">,
): Promise<DomainEvent[]> => {
  const all: DomainEvent[] = [];
  const queue = [...events];
  // A handler that keeps producing events would loop forever; real chains are a few steps long per event.
  const maxSteps = 1_000 + events.length * 20;
  for (let steps = 0; queue.length > 0 && steps < maxSteps; steps++) {
    const event = queue.shift();
    if (!event) break;
    all.push(event);
    for (const handler of handlers) {
      const followUps = await handler(tx, event, services, events);
      if (followUps) queue.push(...followUps);
    }
  }
  return all;
};
