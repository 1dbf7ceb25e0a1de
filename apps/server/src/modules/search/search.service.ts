import type { TSearchContactHit, TSearchMessageHit, TSearchQuery, TSearchResponse } from "@parley/shared";
import { and, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { visibleConversationsCondition } from "../conversations/visibility.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { messages } from "../messages/messages.tables.ts";

/** Sentinels ts_headline puts around matches; they become <mark> in the already-escaped text. */
const START = "\u0002";
const STOP = "\u0003";
const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=15`;

/**
 * The message text HTML-escaped in SQL, before ts_headline sees it: the parser keeps the entities
 * as entity tokens (a raw "<b>" would be taken for a tag and dropped), and only the sentinels
 * around matches become markup afterwards.
 */
const escapedText = sql`replace(replace(replace(replace(replace(translate(${messages.text}, ${`${START}${STOP}`}, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')`;

export const toHighlight = (escapedHeadline: string): string =>
  escapedHeadline.replaceAll(START, "<mark>").replaceAll(STOP, "</mark>");

type Cursor = { createdAt: Date; id: string };

const encodeCursor = (cursor: { createdAt: Date; id: string }): string =>
  Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");

const decodeCursor = (value: string | undefined): Cursor | null => {
  if (value === undefined) return null;
  const [at, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError("validation_failed", "This search cursor is not valid; start again from the first page.", [
      { path: "cursor", message: "not a cursor from a previous page" },
    ]);
  }
  return { createdAt, id };
};

/** Rows strictly after the cursor in (created_at desc, id desc) order. */
const afterCursor = (cursor: Cursor | null, createdAt: AnyPgColumn, id: AnyPgColumn): SQL | undefined =>
  cursor ? sql`(${createdAt}, ${id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)` : undefined;

/** Terms matching fewer of a workspace's messages than this are searched as "rare". */
const RARE_TERM_MATCHES = 500;

/**
 * Whether fewer than RARE_TERM_MATCHES messages of the workspace match, counted through the GIN
 * index alone (bitmap scans only, so a rare term never causes a full table read).
 */
const isRareTerm = async (db: DatabaseOrTransaction, workspaceId: string, tsQuery: SQL): Promise<boolean> =>
  db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql`set local enable_indexscan = off`);
    const result = await tx.execute<{ matches: number }>(sql`
      select count(*)::int as matches from (
        select 1 from ${messages}
        where ${messages.workspaceId} = ${workspaceId} and to_tsvector('simple', ${messages.text}) @@ ${tsQuery}
        limit ${RARE_TERM_MATCHES}
      ) as hits`);
    return (result.rows[0]?.matches ?? 0) < RARE_TERM_MATCHES;
  });

/**
 * Messages matching the query in conversations the caller may see (private notes included for
 * agents), newest first. The match uses exactly the expression of the `messages_search_idx` GIN
 * index; a probe of that index picks the plan (see isRareTerm).
 */
const searchMessages = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  query: TSearchQuery,
  cursor: Cursor | null,
): Promise<{ items: TSearchMessageHit[]; nextCursor: string | null }> => {
  const tsQuery = sql`websearch_to_tsquery('simple', ${query.q})`;
  const findPage = (executor: DatabaseOrTransaction) =>
    executor
      .select({
        id: messages.id,
        seq: messages.seq,
        senderType: messages.senderType,
        senderId: messages.senderId,
        isPrivate: messages.isPrivate,
        createdAt: messages.createdAt,
        headline: sql<string>`ts_headline('simple', ${escapedText}, ${tsQuery}, ${HEADLINE_OPTIONS})`,
        conversationId: conversations.id,
        number: conversations.number,
        status: conversations.status,
        inboxId: inboxes.id,
        inboxName: inboxes.name,
        contactId: contacts.id,
        contactName: contacts.name,
        contactEmail: contacts.email,
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(
        and(
          sql`to_tsvector('simple', ${messages.text}) @@ ${tsQuery}`,
          eq(messages.workspaceId, identity.workspaceId),
          visibleConversationsCondition(db, identity),
          isNull(messages.deletedAt),
          query.inboxId ? eq(messages.inboxId, query.inboxId) : undefined,
          query.from ? sql`${messages.createdAt} >= ${query.from}::timestamptz` : undefined,
          query.to ? sql`${messages.createdAt} < ${query.to}::timestamptz` : undefined,
          query.sender === "contact" ? eq(messages.senderType, "contact") : undefined,
          query.sender === "agent" ? inArray(messages.senderType, ["agent", "bot"]) : undefined,
          afterCursor(cursor, messages.createdAt, messages.id),
        ),
      )
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(query.limit + 1);
  // A rare term is found through the GIN index and then sorted; walking messages newest first would
  // read nearly all of them before finding a handful of hits. Common terms are found fastest that way.
  const rows = (await isRareTerm(db, identity.workspaceId, tsQuery))
    ? await db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        await tx.execute(sql`set local enable_indexscan = off`);
        return findPage(tx);
      })
    : await findPage(db);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      messageId: row.id,
      seq: row.seq,
      senderType: row.senderType,
      senderId: row.senderId,
      isPrivate: row.isPrivate,
      highlight: toHighlight(row.headline),
      createdAt: row.createdAt.toISOString(),
      conversation: { id: row.conversationId, number: row.number, status: row.status },
      inbox: { id: row.inboxId, name: row.inboxName },
      contact: { id: row.contactId, name: row.contactName, email: row.contactEmail },
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
};

/** The exact expression of `contacts_search_idx`, so the GIN index serves the match. */
const contactDocument = sql`to_tsvector('simple', coalesce(${contacts.name}, '') || ' ' || coalesce(${contacts.email}, '') || ' ' || coalesce(${contacts.phone}, ''))`;

const searchContacts = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  query: TSearchQuery,
  cursor: Cursor | null,
): Promise<{ items: TSearchContactHit[]; nextCursor: string | null }> => {
  const rows = await db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email, phone: contacts.phone, createdAt: contacts.createdAt })
    .from(contacts)
    .where(
      and(
        sql`${contactDocument} @@ websearch_to_tsquery('simple', ${query.q})`,
        eq(contacts.workspaceId, identity.workspaceId),
        isNull(contacts.mergedIntoId),
        afterCursor(cursor, contacts.createdAt, contacts.id),
      ),
    )
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
};

/** Full-text search over messages and contacts; the cursor pages messages (or contacts for type=contacts). */
export const search = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  query: TSearchQuery,
): Promise<TSearchResponse> => {
  const cursor = decodeCursor(query.cursor);
  const canSeeContacts = hasPermission(identity, "contacts.view");
  if (query.type === "contacts") {
    if (!canSeeContacts) {
      throw new AppError("forbidden", 'You need the "contacts.view" permission to search contacts.', undefined, {
        reason: "permission_required",
        params: { permission: "contacts.view" },
      });
    }
    const found = await searchContacts(db, identity, query, cursor);
    return { messages: [], contacts: found.items, nextCursor: found.nextCursor };
  }
  // The first page of "all" also lists matching contacts; both statements run side by side.
  const withContacts = query.type === "all" && cursor === null && canSeeContacts;
  const [found, people] = await Promise.all([
    searchMessages(db, identity, query, cursor),
    withContacts ? searchContacts(db, identity, query, null) : Promise.resolve({ items: [] }),
  ]);
  return { messages: found.items, contacts: people.items, nextCursor: found.nextCursor };
};
