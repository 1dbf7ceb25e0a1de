import { eq, sql } from "drizzle-orm";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { nextConversationNumber } from "../src/modules/conversations/start-conversation.ts";
import { inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import { labels } from "../src/modules/labels/labels.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import type { TestApp } from "./helpers.ts";

type ConversationValues = Partial<typeof conversations.$inferInsert>;

/**
 * A conversation written straight to the database with the given state (status, timestamps,
 * counters), so list filters and jobs can be tested without replaying a whole history.
 */
export const seedConversation = async (
  harness: Pick<TestApp, "database">,
  input: { workspaceId: string; inboxId: string } & ConversationValues,
) => {
  const { db } = harness.database;
  const [contact] = await db
    .insert(contacts)
    .values({ workspaceId: input.workspaceId, name: `Contact ${Math.random().toString(36).slice(2, 7)}` })
    .returning();
  if (!contact) throw new Error("contact insert returned no row");
  const [conversation] = await db
    .insert(conversations)
    .values({ number: nextConversationNumber(input.workspaceId), contactId: contact.id, status: "open", ...input })
    .returning();
  if (!conversation) throw new Error("conversation insert returned no row");
  return conversation;
};

/** A contact message stored directly (seq, counters), as if it had arrived. */
export const seedContactMessage = async (
  harness: Pick<TestApp, "database">,
  conversation: { id: string; workspaceId: string; inboxId: string },
  text = "Hello?",
) => {
  const { db } = harness.database;
  const [message] = await db
    .insert(messages)
    .values({
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      inboxId: conversation.inboxId,
      senderType: "contact",
      text,
    })
    .returning();
  if (!message) throw new Error("message insert returned no row");
  await db
    .update(conversations)
    .set({
      lastMessageSeq: message.seq,
      unreadByAgentsCount: sql`${conversations.unreadByAgentsCount} + 1`,
      waitingSince: sql`coalesce(${conversations.waitingSince}, now())`,
    })
    .where(eq(conversations.id, conversation.id));
  return message;
};

export const createInbox = async (
  harness: Pick<TestApp, "database">,
  input: { workspaceId: string; type: "api" | "email" | "website"; autoCloseMinutes?: number },
) => {
  const [inbox] = await harness.database.db
    .insert(inboxes)
    .values({
      workspaceId: input.workspaceId,
      type: input.type,
      name: `${input.type} inbox`,
      autoCloseMinutes: input.autoCloseMinutes,
    })
    .returning();
  if (!inbox) throw new Error("inbox insert returned no row");
  return inbox;
};

export const createLabels = async (harness: Pick<TestApp, "database">, workspaceId: string, names: string[]) => {
  for (const name of names) await harness.database.db.insert(labels).values({ workspaceId, name });
};

/**
 * Counts statements sent through the app's pool while `work` runs; `values` holds each one's
 * parameters, in the same order (drizzle passes a config object and its values apart).
 */
export const countQueries = async <T>(harness: Pick<TestApp, "database">, work: () => Promise<T>) => {
  const { pool } = harness.database;
  const statements: string[] = [];
  const values: unknown[][] = [];
  const original = pool.query.bind(pool);
  const counting = (...args: unknown[]) => {
    const [first, second] = args;
    statements.push(typeof first === "object" && first !== null && "text" in first ? String(first.text) : String(first));
    values.push(Array.isArray(second) ? second : []);
    return (original as (...inner: unknown[]) => unknown)(...args);
  };
  pool.query = counting as typeof pool.query;
  try {
    const result = await work();
    return { result, statements, values };
  } finally {
    pool.query = original;
  }
};
