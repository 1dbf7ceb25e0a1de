import type { TConversationCounts, TConversationListFilter, TConversationListQuery, TConversationPage } from "@parley/shared";
import { and, arrayContains, eq, gte, inArray, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { mentions } from "../messages/messages.tables.ts";
import { loadConversationDtos } from "./conversation-dto.ts";
import { conversationReads, conversations } from "./conversations.tables.ts";
import { visibleConversationsCondition } from "./visibility.ts";

/** The caller's user id in SQL; API keys are nobody, so "mine" and mentions match nothing. */
const callerId = (identity: RequestIdentity): SQL => (identity.userId ? sql`${identity.userId}::uuid` : sql`null::uuid`);

const hasUnreadMention = (identity: RequestIdentity): SQL =>
  sql`exists (select 1 from ${mentions} where ${mentions.conversationId} = ${conversations.id} and ${mentions.userId} = ${callerId(identity)} and ${mentions.readAt} is null)`;

/** Contact messages after the caller's last read; a conversation never opened counts as unread. */
const isUnreadFor = (identity: RequestIdentity): SQL =>
  sql`(${conversations.unreadByAgentsCount} > 0 and coalesce((select ${conversationReads.lastReadSeq} from ${conversationReads} where ${conversationReads.conversationId} = ${conversations.id} and ${conversationReads.userId} = ${callerId(identity)}), 0) < ${conversations.lastMessageSeq})`;

const flag = (value: boolean | undefined, whenTrue: SQL, whenFalse: SQL): SQL | undefined =>
  value === undefined ? undefined : value ? whenTrue : whenFalse;

/**
 * The SQL condition of a list filter alone, without the visibility rule: only for queries that
 * apply `visibleConversationsCondition` themselves (saved-view counts, one filter per column).
 */
export const matchesFilterCondition = (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  filter: TConversationListFilter,
): SQL => {
  const me = callerId(identity);
  const conditions: Array<SQL | undefined> = [
    filter.status ? inArray(conversations.status, filter.status) : undefined,
    filter.inboxId ? eq(conversations.inboxId, filter.inboxId) : undefined,
    filter.assigneeId ? eq(conversations.assigneeId, filter.assigneeId) : undefined,
    filter.assignee === "me" || filter.view === "mine" ? sql`${conversations.assigneeId} = ${me}` : undefined,
    filter.assignee === "unassigned" || filter.view === "unassigned" ? isNull(conversations.assigneeId) : undefined,
    filter.view === "mentions" ? hasUnreadMention(identity) : undefined,
    filter.teamId ? eq(conversations.teamId, filter.teamId) : undefined,
    filter.label ? arrayContains(conversations.labels, [filter.label]) : undefined,
    filter.priority ? inArray(conversations.priority, filter.priority) : undefined,
    filter.channel
      ? inArray(
          conversations.inboxId,
          db
            .select({ id: inboxes.id })
            .from(inboxes)
            .where(and(eq(inboxes.workspaceId, identity.workspaceId), eq(inboxes.type, filter.channel))),
        )
      : undefined,
    flag(filter.unread, isUnreadFor(identity), sql`not ${isUnreadFor(identity)}`),
    filter.from ? gte(conversations.createdAt, new Date(filter.from)) : undefined,
    filter.to ? lte(conversations.createdAt, new Date(filter.to)) : undefined,
    flag(filter.hasUnanswered, isNotNull(conversations.waitingSince), isNull(conversations.waitingSince)),
    flag(filter.missed, eq(conversations.isMissed, true), eq(conversations.isMissed, false)),
    flag(filter.archived ?? false, isNotNull(conversations.archivedAt), isNull(conversations.archivedAt)),
  ];
  return and(...conditions.filter((condition) => condition !== undefined)) ?? sql`true`;
};

/**
 * The SQL condition of a list filter, always inside what the caller may see. One expression with
 * subqueries, so a page stays one statement whatever the filter.
 */
export const listFilterCondition = (db: DatabaseOrTransaction, identity: RequestIdentity, filter: TConversationListFilter): SQL =>
  and(visibleConversationsCondition(db, identity), matchesFilterCondition(db, identity, filter)) ?? sql`true`;

const priorityRank = sql<number>`(case ${conversations.priority} when 'urgent' then 3 when 'high' then 2 when 'medium' then 1 else 0 end)`;
const waitingKey = sql`coalesce(${conversations.waitingSince}, 'infinity'::timestamptz)`;

/**
 * Each sort as its key columns (all one direction, the id last as the tie-breaker), so a cursor is
 * a row comparison that stays correct when conversations are inserted or move between pages.
 */
const SORTS = {
  latest: { direction: "desc", keys: [{ expression: sql`${conversations.lastActivityAt}`, type: "timestamptz" }] },
  created: { direction: "desc", keys: [{ expression: sql`${conversations.createdAt}`, type: "timestamptz" }] },
  priority: {
    direction: "desc",
    keys: [
      { expression: priorityRank, type: "integer" },
      { expression: sql`${conversations.lastActivityAt}`, type: "timestamptz" },
    ],
  },
  waiting: { direction: "asc", keys: [{ expression: waitingKey, type: "timestamptz" }] },
} as const satisfies Record<
  TConversationListQuery["sort"],
  { direction: "asc" | "desc"; keys: ReadonlyArray<{ expression: SQL; type: "timestamptz" | "integer" }> }
>;

const ZCursor = z.object({ sort: z.string(), keys: z.array(z.string()), id: z.uuid() });
type Cursor = z.infer<typeof ZCursor>;

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString("base64url");

const decodeCursor = (value: string, sort: string, keyCount: number): Cursor => {
  const invalid = new AppError("validation_failed", "This cursor is not valid for this list.", [
    { path: "cursor", message: "use the nextCursor value from the previous page with the same sort" },
  ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  const cursor = ZCursor.safeParse(parsed);
  if (!cursor.success || cursor.data.sort !== sort || cursor.data.keys.length !== keyCount) throw invalid;
  return cursor.data;
};

/**
 * A page of conversations the caller may see, in two statements: the ids of the page (filter,
 * visibility and cursor in one query), then their DTOs.
 */
export const listConversations = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  query: TConversationListQuery,
): Promise<TConversationPage> => {
  const sort = SORTS[query.sort];
  const keyColumns = [...sort.keys.map((key) => key.expression), sql`${conversations.id}`];
  const conditions = [listFilterCondition(db, identity, query)];
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, query.sort, sort.keys.length);
    const values = [...sort.keys.map((key, index) => sql`${cursor.keys[index]}::${sql.raw(key.type)}`), sql`${cursor.id}::uuid`];
    const comparison = sort.direction === "desc" ? sql.raw("<") : sql.raw(">");
    conditions.push(sql`(${sql.join(keyColumns, sql`, `)}) ${comparison} (${sql.join(values, sql`, `)})`);
  }
  const rows = await db
    .select({
      id: conversations.id,
      // Keys as Postgres prints them: a JS Date would drop the microseconds and break the cursor.
      keys: sql<string[]>`array[${sql.join(
        sort.keys.map((key) => sql`(${key.expression})::text`),
        sql`, `,
      )}]`,
    })
    .from(conversations)
    .where(and(...conditions))
    .orderBy(...keyColumns.map((column) => (sort.direction === "desc" ? sql`${column} desc` : sql`${column} asc`)))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? encodeCursor({ sort: query.sort, keys: last.keys, id: last.id }) : null;
  return {
    items: await loadConversationDtos(
      db,
      page.map((row) => row.id),
      identity.userId,
    ),
    nextCursor,
  };
};

/** Open and pending conversations (not archived) per view for the caller, in one statement. */
export const countConversations = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<TConversationCounts> => {
  const [row] = await db
    .select({
      mine: sql<number>`count(*) filter (where ${conversations.assigneeId} = ${callerId(identity)})`.mapWith(Number),
      unassigned: sql<number>`count(*) filter (where ${conversations.assigneeId} is null)`.mapWith(Number),
      all: sql<number>`count(*)`.mapWith(Number),
      mentions: sql<number>`count(*) filter (where ${hasUnreadMention(identity)})`.mapWith(Number),
    })
    .from(conversations)
    .where(
      and(
        visibleConversationsCondition(db, identity),
        inArray(conversations.status, ["open", "pending"]),
        isNull(conversations.archivedAt),
      ),
    );
  return row ?? { mine: 0, unassigned: 0, all: 0, mentions: 0 };
};

/** Ids of every conversation a filter selects for the caller (bulk actions), up to a cap. */
export const selectConversationIds = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  filter: TConversationListFilter,
  limit: number,
): Promise<string[]> => {
  const rows = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(listFilterCondition(db, identity, filter))
    .orderBy(sql`${conversations.lastActivityAt} desc`, sql`${conversations.id} desc`)
    .limit(limit);
  return rows.map((row) => row.id);
};
