import type {
  TContact,
  TContactDetail,
  TContactList,
  TContactListQuery,
  TCreateContactRequest,
  TUpdateContactRequest,
} from "@parley/shared";
import { and, asc, count, desc, eq, isNull, lt, ne, type SQL, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { visibleConversationsCondition } from "../conversations/visibility.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { contactIdentities, contacts } from "./contacts.tables.ts";

type ContactRow = typeof contacts.$inferSelect;

const CONTACT_NOT_FOUND = "No contact with this id in this workspace.";

/** How a contact appears in the audit log: the first of name, email and phone it has. */
const contactTarget = (contact: Pick<typeof contacts.$inferSelect, "id" | "name" | "email" | "phone">) => ({
  type: "contact",
  id: contact.id,
  label: contact.name ?? contact.email ?? contact.phone,
});

export const toContactDto = (contact: ContactRow): TContact => ({
  id: contact.id,
  name: contact.name,
  email: contact.email,
  phone: contact.phone,
  avatarUrl: contact.avatarUrl,
  customAttributes: contact.customAttributes,
  tags: contact.tags,
  isAnonymous: contact.isAnonymous,
  isBlocked: contact.blockedAt !== null,
  blockedAt: contact.blockedAt?.toISOString() ?? null,
  lastSeenAt: contact.lastSeenAt?.toISOString() ?? null,
  createdAt: contact.createdAt.toISOString(),
  updatedAt: contact.updatedAt.toISOString(),
});

const profileOf = (contact: ContactRow) => ({
  name: contact.name,
  email: contact.email,
  phone: contact.phone,
  avatarUrl: contact.avatarUrl,
  customAttributes: contact.customAttributes,
  tags: contact.tags,
});

/** The document `contacts_search_idx` indexes; the query must repeat it exactly for the index to serve it. */
const searchDocument = sql`to_tsvector('simple', coalesce(${contacts.name}, '') || ' ' || coalesce(${contacts.email}, '') || ' ' || coalesce(${contacts.phone}, ''))`;

/**
 * Every word of the search as a prefix ("ali smi" finds "Alice Smith", "ada@exa" finds
 * "ada@example.com"). The tsquery is built from the words as-is rather than re-parsed, so a
 * partial email stays one prefix; only letters, digits and @ . + _ - are kept, so user text
 * can never form a tsquery operator.
 */
export const contactSearchCondition = (search: string): SQL | null => {
  const words = search
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.+_-]+/gu, " ")
    .split(" ")
    .filter(Boolean)
    .slice(0, 10);
  if (words.length === 0) return null;
  const query = words.map((word) => `'${word}':*`).join(" & ");
  return sql`${searchDocument} @@ ${query}::tsquery`;
};

/** Contacts newest first (ids are UUIDv7), so the last id of a page is the cursor. */
export const listContacts = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  query: TContactListQuery,
): Promise<TContactList> => {
  const filters: Array<SQL | undefined> = [eq(contacts.workspaceId, workspaceId), isNull(contacts.mergedIntoId)];
  if (query.search) {
    const condition = contactSearchCondition(query.search);
    if (condition) filters.push(condition);
  }
  if (query.tag) filters.push(sql`${contacts.tags} @> array[${query.tag}]::text[]`);
  // Literals, not parameters, so the planner can match the people's partial index.
  if (query.kind === "people") filters.push(sql`${contacts.isAnonymous} = false`);
  if (query.kind === "visitors") filters.push(sql`${contacts.isAnonymous} = true`);
  if (query.cursor) filters.push(lt(contacts.id, query.cursor));
  const rows = await db
    .select()
    .from(contacts)
    .where(and(...filters))
    .orderBy(desc(contacts.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toContactDto),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
};

const findContact = async (db: DatabaseOrTransaction, workspaceId: string, contactId: string, lock = false) => {
  const query = db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw new AppError("not_found", CONTACT_NOT_FOUND);
  return row;
};

/** The contact, its identities per inbox, and the conversations the caller may see. */
export const getContact = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  contactId: string,
): Promise<TContactDetail> => {
  const contact = await findContact(db, identity.workspaceId, contactId);
  const inbox = { id: inboxes.id, name: inboxes.name, type: inboxes.type };
  const identities = await db
    .select({ id: contactIdentities.id, sourceId: contactIdentities.sourceId, createdAt: contactIdentities.createdAt, inbox })
    .from(contactIdentities)
    .innerJoin(inboxes, eq(inboxes.id, contactIdentities.inboxId))
    .where(and(eq(contactIdentities.workspaceId, identity.workspaceId), eq(contactIdentities.contactId, contact.id)))
    .orderBy(asc(contactIdentities.createdAt));
  const visible = await db
    .select({
      id: conversations.id,
      number: conversations.number,
      status: conversations.status,
      lastActivityAt: conversations.lastActivityAt,
      inbox,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(and(eq(conversations.contactId, contact.id), visibleConversationsCondition(db, identity)))
    .orderBy(desc(conversations.lastActivityAt))
    .limit(100);
  return {
    ...toContactDto(contact),
    identities: identities.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
    conversations: visible.map((row) => ({ ...row, lastActivityAt: row.lastActivityAt.toISOString() })),
  };
};

/**
 * Email is "unique-ish": nothing in the schema forbids two contacts sharing one (merges and
 * imports need that), but creating or editing one into a duplicate is refused with the
 * existing contact's id, so the caller can open or merge it instead.
 */
const assertEmailFree = async (tx: DatabaseOrTransaction, workspaceId: string, email: string, exceptId: string | null) => {
  // Serialises concurrent writers of the same address, so two requests cannot both pass the check.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`contact-email:${workspaceId}:${email}`}, 0))`);
  const [existing] = await tx
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        sql`lower(${contacts.email}) = ${email.toLowerCase()}`,
        isNull(contacts.mergedIntoId),
        exceptId ? ne(contacts.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (existing) {
    throw new AppError(
      "conflict",
      "Another contact of this workspace already has this email address.",
      { existingContactId: existing.id, path: "body.email" },
      { reason: "contact_email_taken" },
    );
  }
};

type ContactChange = { contact: ContactRow; entry: Awaited<ReturnType<typeof recordAudit>> | null };

/** Commits through the conversation model so `contact.*` events reach webhooks, then publishes the audit entry. */
const commitContactChange = async (
  services: ConversationServices,
  workspaceId: string,
  work: (tx: DatabaseOrTransaction) => Promise<{ result: ContactChange; events: DomainEvent[] }>,
): Promise<TContact> => {
  const { contact, entry } = await commitConversationChange(services, work);
  if (entry) publishAudit(services.realtime, workspaceId, entry);
  return toContactDto(contact);
};

export const createContact = async (
  services: ConversationServices,
  workspaceId: string,
  input: TCreateContactRequest,
  actor: AuditActor,
): Promise<TContact> =>
  commitContactChange(services, workspaceId, async (tx) => {
    if (input.email) await assertEmailFree(tx, workspaceId, input.email, null);
    const [contact] = await tx
      .insert(contacts)
      .values({ workspaceId, ...input })
      .returning();
    if (!contact) throw new Error("contact insert returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "contact.created",
      target: contactTarget(contact),
      after: profileOf(contact),
    });
    return { result: { contact, entry }, events: [{ type: "contact.created", workspaceId, contactId: contact.id }] };
  });

export const updateContact = async (
  services: ConversationServices,
  workspaceId: string,
  contactId: string,
  input: TUpdateContactRequest,
  actor: AuditActor,
): Promise<TContact> =>
  commitContactChange(services, workspaceId, async (tx) => {
    const before = await findContact(tx, workspaceId, contactId, true);
    const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
    const diff = changedFields(profileOf(before), { ...profileOf(before), ...changes });
    if (!diff) return { result: { contact: before, entry: null }, events: [] };
    if (input.email && input.email !== before.email?.toLowerCase())
      await assertEmailFree(tx, workspaceId, input.email, before.id);
    const [contact] = await tx
      .update(contacts)
      // An agent who edits a visitor's profile has made them one of the people.
      .set({ ...changes, isAnonymous: false, updatedAt: new Date() })
      .where(eq(contacts.id, before.id))
      .returning();
    if (!contact) throw new Error("contact update returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "contact.updated",
      target: contactTarget(contact),
      ...diff,
    });
    // A visitor an agent edits is announced as a new contact: webhook receivers never heard of them.
    const type = before.isAnonymous ? "contact.created" : "contact.updated";
    return { result: { contact, entry }, events: [{ type, workspaceId, contactId: contact.id }] };
  });

/** Blocked contacts' messages are refused and the widget stays hidden for them. */
export const setContactBlocked = async (
  services: ConversationServices,
  workspaceId: string,
  contactId: string,
  isBlocked: boolean,
  actor: AuditActor,
): Promise<TContact> =>
  commitContactChange(services, workspaceId, async (tx) => {
    const before = await findContact(tx, workspaceId, contactId, true);
    if ((before.blockedAt !== null) === isBlocked) return { result: { contact: before, entry: null }, events: [] };
    const [contact] = await tx
      .update(contacts)
      .set({ blockedAt: isBlocked ? new Date() : null, updatedAt: new Date() })
      .where(eq(contacts.id, before.id))
      .returning();
    if (!contact) throw new Error("contact update returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: isBlocked ? "contact.blocked" : "contact.unblocked",
      target: contactTarget(contact),
    });
    return { result: { contact, entry }, events: [{ type: "contact.updated", workspaceId, contactId: contact.id }] };
  });

/**
 * Deleting a contact would cascade to its conversations and their messages, so a contact with
 * conversations is refused: erasing history belongs to the CRM's merge and erasure tools.
 */
export const deleteContact = async (
  services: ConversationServices,
  workspaceId: string,
  contactId: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await services.db.transaction(async (tx) => {
    const contact = await findContact(tx, workspaceId, contactId, true);
    const [usage] = await tx
      .select({ total: count() })
      .from(conversations)
      .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.contactId, contact.id)));
    if (usage && usage.total > 0) {
      throw new AppError(
        "conflict",
        "This contact has conversations; block the contact instead of deleting it.",
        { conversationCount: usage.total },
        { reason: "contact_has_conversations" },
      );
    }
    await tx.delete(contacts).where(eq(contacts.id, contact.id));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "contact.deleted",
      target: contactTarget(contact),
      before: profileOf(contact),
    });
  });
  publishAudit(services.realtime, workspaceId, entry);
};
