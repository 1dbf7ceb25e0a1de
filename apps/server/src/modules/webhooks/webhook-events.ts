import { and, eq, type SQL, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent, DomainEventHandler } from "../../platform/domain-events.ts";
import { newId } from "../../platform/ids.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import type { AppServices } from "../../platform/services.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { loadConversationDtos } from "../conversations/conversation-dto.ts";
import { toMessageDtos } from "../messages/message-dto.ts";
import { messages } from "../messages/messages.tables.ts";
import { webhookDeliveryTask } from "./webhook-delivery.ts";
import { webhookDeliveries, webhookSubscriptions } from "./webhooks.tables.ts";

/** The `data` of an event as receivers get it; null when its subject is already gone. */
const eventData = async (
  tx: DatabaseOrTransaction,
  event: DomainEvent,
  services: Pick<AppServices, "config" | "secrets">,
): Promise<Record<string, unknown> | null> => {
  switch (event.type) {
    case "conversation.created":
    case "conversation.updated":
    case "conversation.status_changed":
    case "conversation.assigned": {
      const [conversation] = await loadConversationDtos(tx, [event.conversationId], null);
      if (!conversation) return null;
      if (event.type === "conversation.updated") return { conversation, changes: event.changes };
      if (event.type === "conversation.status_changed")
        return { conversation, from: event.from, to: event.to, cause: event.cause };
      if (event.type === "conversation.assigned") return { conversation, assigneeId: event.assigneeId, teamId: event.teamId };
      return { conversation };
    }
    case "message.created":
    case "message.updated": {
      // Private notes are included (flagged isPrivate): webhooks go to the business, not the contact.
      const rows = await tx.select().from(messages).where(eq(messages.id, event.messageId));
      const [message] = await toMessageDtos(tx, services, rows);
      return message ? { message } : null;
    }
    case "contact.created":
    case "contact.updated": {
      const [contact] = await tx
        .select()
        .from(contacts)
        .where(and(eq(contacts.id, event.contactId), eq(contacts.workspaceId, event.workspaceId)));
      // Anonymous visitors stay inside Parley until they become people (then contact.created goes out).
      if (!contact || contact.isAnonymous) return null;
      return {
        contact: {
          id: contact.id,
          name: contact.name,
          email: contact.email,
          phone: contact.phone,
          avatarUrl: contact.avatarUrl,
          customAttributes: contact.customAttributes,
          tags: contact.tags,
          createdAt: contact.createdAt.toISOString(),
          updatedAt: contact.updatedAt.toISOString(),
        },
      };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};

type EnabledSubscription = { id: string; events: string[] };

/**
 * A workspace's enabled subscriptions, read once per transaction: one change raises several events
 * (a message also updates its conversation), and each would otherwise query them again.
 */
const subscriptionsByTransaction = new WeakMap<object, Map<string, Promise<EnabledSubscription[]>>>();

const subscriptionsOf = (tx: DatabaseOrTransaction) => {
  let byWorkspace = subscriptionsByTransaction.get(tx);
  if (!byWorkspace) {
    byWorkspace = new Map();
    subscriptionsByTransaction.set(tx, byWorkspace);
  }
  return byWorkspace;
};

const enabledSubscriptions = (tx: DatabaseOrTransaction, workspaceId: string) => {
  const byWorkspace = subscriptionsOf(tx);
  let subscriptions = byWorkspace.get(workspaceId);
  if (!subscriptions) {
    subscriptions = tx
      .select({ id: webhookSubscriptions.id, events: webhookSubscriptions.events })
      .from(webhookSubscriptions)
      .where(and(eq(webhookSubscriptions.workspaceId, workspaceId), eq(webhookSubscriptions.isEnabled, true)))
      // execute(): a query builder awaited twice would run twice; the promise runs it once.
      .execute();
    byWorkspace.set(workspaceId, subscriptions);
  }
  return subscriptions;
};

/** A workspace's enabled subscriptions as an SQL expression (a json array), for a caller's own read. */
export const enabledSubscriptionsSql = (workspaceId: SQL | string): SQL<EnabledSubscription[]> =>
  sql<EnabledSubscription[]>`coalesce((select json_agg(json_build_object('id', s.id, 'events', s.events))
    from ${webhookSubscriptions} s where s.workspace_id = ${workspaceId} and s.is_enabled), '[]'::json)`;

/** For a writer that read enabledSubscriptionsSql in this transaction: the handler asks nothing more. */
export const primeWebhookSubscriptions = (
  tx: DatabaseOrTransaction,
  byWorkspace: ReadonlyMap<string, EnabledSubscription[]>,
): void => {
  const known = subscriptionsOf(tx);
  for (const [workspaceId, subscriptions] of byWorkspace) {
    if (!known.has(workspaceId)) known.set(workspaceId, Promise.resolve(subscriptions));
  }
};

/**
 * Outbox for outgoing webhooks: in the transaction that made the change, one delivery row and one
 * job per subscription that wants the event, so a webhook is sent exactly when the change commits.
 */
export const queueWebhookDeliveries: DomainEventHandler = async (tx, event, services) => {
  const subscriptions = (await enabledSubscriptions(tx, event.workspaceId)).filter((subscription) =>
    subscription.events.includes(event.type),
  );
  if (subscriptions.length === 0) return undefined;
  const data = await eventData(tx, event, services);
  if (!data) return undefined;
  const eventId = newId();
  const payload = { id: eventId, type: event.type, createdAt: new Date().toISOString(), workspaceId: event.workspaceId, data };
  const rows = await tx
    .insert(webhookDeliveries)
    .values(
      subscriptions.map((subscription) => ({
        workspaceId: event.workspaceId,
        subscriptionId: subscription.id,
        eventId,
        event: event.type,
        payload,
      })),
    )
    .returning({ id: webhookDeliveries.id });
  for (const row of rows) {
    await enqueueJob(tx, webhookDeliveryTask, { deliveryId: row.id, workspaceId: event.workspaceId });
  }
  return undefined;
};
