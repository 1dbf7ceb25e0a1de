import type { TContactNote } from "@parley/shared";
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { contactNotes, contacts } from "./contacts.tables.ts";

type NoteServices = Pick<AppServices, "db" | "realtime">;
type NoteRow = typeof contactNotes.$inferSelect;

const NOTE_NOT_FOUND = "No note with this id on this contact.";

const toNoteDto = (note: NoteRow, authorName: string | null): TContactNote => ({
  id: note.id,
  contactId: note.contactId,
  body: note.body,
  author: note.authorUserId ? { id: note.authorUserId, name: authorName ?? "" } : null,
  createdAt: note.createdAt.toISOString(),
  updatedAt: note.updatedAt.toISOString(),
});

const findLiveContact = async (db: DatabaseOrTransaction, workspaceId: string, contactId: string) => {
  const [contact] = await db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email, isAnonymous: contacts.isAnonymous })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.workspaceId, workspaceId), isNull(contacts.mergedIntoId)));
  if (!contact) throw new AppError("not_found", "No contact with this id.");
  return contact;
};

const noteTarget = (note: NoteRow, contact: { id: string; name: string | null; email: string | null }) => ({
  type: "contact_note",
  id: note.id,
  label: contact.name ?? contact.email ?? contact.id,
});

const encodeCursor = (note: NoteRow) => `${note.createdAt.toISOString()}|${note.id}`;

const decodeCursor = (cursor: string) => {
  const [at, id] = cursor.split("|");
  const createdAt = new Date(at ?? "");
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError("validation_failed", "This cursor is not from a previous page.", [
      { path: "cursor", message: "unknown cursor" },
    ]);
  }
  return { createdAt, id };
};

/** A contact's notes, newest first. */
export const listContactNotes = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  contactId: string,
  page: { cursor?: string | undefined; limit: number },
) => {
  const contact = await findLiveContact(db, workspaceId, contactId);
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await db
    .select({ note: contactNotes, authorName: users.name })
    .from(contactNotes)
    .leftJoin(users, eq(users.id, contactNotes.authorUserId))
    .where(
      and(
        eq(contactNotes.workspaceId, workspaceId),
        eq(contactNotes.contactId, contact.id),
        after
          ? or(
              lt(contactNotes.createdAt, after.createdAt),
              and(eq(contactNotes.createdAt, after.createdAt), lt(contactNotes.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(contactNotes.createdAt), desc(contactNotes.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((row) => toNoteDto(row.note, row.authorName)),
    nextCursor: rows.length > page.limit && last ? encodeCursor(last.note) : null,
  };
};

const authorName = async (db: DatabaseOrTransaction, userId: string | null) => {
  if (!userId) return null;
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return user?.name ?? null;
};

export const createContactNote = async (
  services: ConversationServices,
  identity: RequestIdentity,
  contactId: string,
  body: string,
  actor: AuditActor,
): Promise<TContactNote> => {
  const { note, entry } = await commitConversationChange(services, async (tx) => {
    const contact = await findLiveContact(tx, identity.workspaceId, contactId);
    const [note] = await tx
      .insert(contactNotes)
      .values({ workspaceId: identity.workspaceId, contactId: contact.id, authorUserId: identity.userId, body })
      .returning();
    if (!note) throw new Error("note insert returned no row");
    // A visitor an agent writes a note about is one of the people from now on.
    const events: DomainEvent[] = [];
    if (contact.isAnonymous) {
      await tx.update(contacts).set({ isAnonymous: false }).where(eq(contacts.id, contact.id));
      events.push({ type: "contact.created", workspaceId: identity.workspaceId, contactId: contact.id });
    }
    const entry = await recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "contact_note.created",
      target: noteTarget(note, contact),
      after: { contactId: contact.id, body },
    });
    return { result: { note, entry }, events };
  });
  publishAudit(services.realtime, identity.workspaceId, entry);
  return toNoteDto(note, await authorName(services.db, note.authorUserId));
};

/** The author changes their own notes; `contacts.manage_notes` (admins) changes anyone's. */
const lockEditableNote = async (tx: DatabaseOrTransaction, identity: RequestIdentity, contactId: string, noteId: string) => {
  const contact = await findLiveContact(tx, identity.workspaceId, contactId);
  const [note] = await tx
    .select()
    .from(contactNotes)
    .where(
      and(
        eq(contactNotes.id, noteId),
        eq(contactNotes.contactId, contact.id),
        eq(contactNotes.workspaceId, identity.workspaceId),
      ),
    )
    .for("update");
  if (!note) throw new AppError("not_found", NOTE_NOT_FOUND);
  const isAuthor = identity.userId !== null && note.authorUserId === identity.userId;
  if (!isAuthor && !hasPermission(identity, "contacts.manage_notes")) {
    throw new AppError(
      "forbidden",
      "Only the note's author or an admin may change it.",
      { permission: "contacts.manage_notes" },
      { reason: "note_author_only" },
    );
  }
  return { contact, note };
};

export const updateContactNote = async (
  services: NoteServices,
  identity: RequestIdentity,
  input: { contactId: string; noteId: string; body: string },
  actor: AuditActor,
): Promise<TContactNote> => {
  const { note, entry } = await services.db.transaction(async (tx) => {
    const { contact, note: before } = await lockEditableNote(tx, identity, input.contactId, input.noteId);
    if (before.body === input.body) return { note: before, entry: null };
    const [note] = await tx
      .update(contactNotes)
      .set({ body: input.body, updatedAt: new Date() })
      .where(eq(contactNotes.id, before.id))
      .returning();
    if (!note) throw new Error("note update returned no row");
    const entry = await recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "contact_note.updated",
      target: noteTarget(note, contact),
      before: { body: before.body },
      after: { body: note.body },
    });
    return { note, entry };
  });
  if (entry) publishAudit(services.realtime, identity.workspaceId, entry);
  return toNoteDto(note, await authorName(services.db, note.authorUserId));
};

export const deleteContactNote = async (
  services: NoteServices,
  identity: RequestIdentity,
  input: { contactId: string; noteId: string },
  actor: AuditActor,
): Promise<void> => {
  const entry = await services.db.transaction(async (tx) => {
    const { contact, note } = await lockEditableNote(tx, identity, input.contactId, input.noteId);
    await tx.delete(contactNotes).where(eq(contactNotes.id, note.id));
    return recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "contact_note.deleted",
      target: noteTarget(note, contact),
      before: { body: note.body, authorUserId: note.authorUserId },
    });
  });
  publishAudit(services.realtime, identity.workspaceId, entry);
};
