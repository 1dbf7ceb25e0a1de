import { and, desc, eq, getTableColumns, ne, type SQL, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { conversations } from "./conversations.tables.ts";
import type { ConversationRow } from "./visibility.ts";

type ContactProfile = { name?: string | null; email?: string | null; phone?: string | null; avatarUrl?: string | null };

/**
 * The workspace's next #number, from its own sequence (created with the workspace, see migration
 * 0010): it never waits for other transactions creating conversations, at the price of a gap when
 * a creation rolls back.
 */
export const nextConversationNumber = (workspaceId: string): SQL<number> =>
  sql`nextval(conversation_number_sequence_name(${workspaceId}::uuid)::regclass)`;

/**
 * The contact behind a sender on an inbox (visitor id, PSID, wa_id, email…), created on first
 * contact. Concurrent first messages from one sender resolve to one contact. `isAnonymous` marks a
 * new contact as a website visitor who has not written yet.
 */
export const resolveContact = async (
  tx: DatabaseOrTransaction,
  input: { workspaceId: string; inboxId: string; sourceId: string; profile?: ContactProfile; isAnonymous?: boolean },
): Promise<{ contactId: string; contactIdentityId: string; events: DomainEvent[] }> => {
  const [known] = await tx
    .select({ id: contactIdentities.id, contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.inboxId, input.inboxId), eq(contactIdentities.sourceId, input.sourceId)));
  if (known) return { contactId: known.contactId, contactIdentityId: known.id, events: [] };

  const [contact] = await tx
    .insert(contacts)
    .values({
      workspaceId: input.workspaceId,
      name: input.profile?.name ?? null,
      email: input.profile?.email ?? null,
      phone: input.profile?.phone ?? null,
      avatarUrl: input.profile?.avatarUrl ?? null,
      isAnonymous: input.isAnonymous ?? false,
    })
    .returning({ id: contacts.id });
  if (!contact) throw new Error("contact insert returned no row");
  const [identity] = await tx
    .insert(contactIdentities)
    .values({ workspaceId: input.workspaceId, contactId: contact.id, inboxId: input.inboxId, sourceId: input.sourceId })
    .onConflictDoNothing({ target: [contactIdentities.inboxId, contactIdentities.sourceId] })
    .returning({ id: contactIdentities.id });
  if (!identity) {
    // Another transaction registered this sender first: use theirs and drop ours.
    await tx.delete(contacts).where(eq(contacts.id, contact.id));
    const [winner] = await tx
      .select({ id: contactIdentities.id, contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.inboxId, input.inboxId), eq(contactIdentities.sourceId, input.sourceId)));
    if (!winner) throw new AppError("conflict", "This sender was registered at the same moment; try again.");
    return { contactId: winner.contactId, contactIdentityId: winner.id, events: [] };
  }
  return {
    contactId: contact.id,
    contactIdentityId: identity.id,
    // An anonymous visitor is announced when they become one of the people (see createConversation).
    events: input.isAnonymous ? [] : [{ type: "contact.created", workspaceId: input.workspaceId, contactId: contact.id }],
  };
};

/** The contact's conversation on this inbox that a new message continues (any but closed), if any. */
export const findContinuableConversation = async (
  tx: DatabaseOrTransaction,
  input: { workspaceId: string; inboxId: string; contactId: string },
): Promise<ConversationRow | null> => {
  const [row] = await tx
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, input.workspaceId),
        eq(conversations.inboxId, input.inboxId),
        eq(conversations.contactId, input.contactId),
        ne(conversations.status, "closed"),
      ),
    )
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  return row ?? null;
};

export const createConversation = async (
  tx: DatabaseOrTransaction,
  input: { workspaceId: string; inboxId: string; contactId: string; contactIdentityId: string | null },
): Promise<{ conversation: ConversationRow; events: DomainEvent[] }> => {
  // A visitor who writes becomes one of the people: marked in the same statement, no extra round trip.
  const madeKnown = tx.$with("made_known", { id: contacts.id }).as(
    sql`update ${contacts} set ${sql.identifier(contacts.isAnonymous.name)} = false
          where ${contacts.id} = ${input.contactId} and ${contacts.isAnonymous} returning ${contacts.id}`,
  );
  const [row] = await tx
    .with(madeKnown)
    .insert(conversations)
    .values({
      workspaceId: input.workspaceId,
      number: nextConversationNumber(input.workspaceId),
      inboxId: input.inboxId,
      contactId: input.contactId,
      contactIdentityId: input.contactIdentityId,
      status: "pending",
    })
    .returning({ ...getTableColumns(conversations), contactBecameKnown: sql<boolean>`exists (select 1 from ${madeKnown})` });
  if (!row) throw new Error("conversation insert returned no row");
  const { contactBecameKnown, ...conversation } = row;
  const contactCreated: DomainEvent = { type: "contact.created", workspaceId: input.workspaceId, contactId: input.contactId };
  return {
    conversation,
    events: [
      ...(contactBecameKnown ? [contactCreated] : []),
      { type: "conversation.created", workspaceId: input.workspaceId, conversationId: conversation.id },
    ],
  };
};
