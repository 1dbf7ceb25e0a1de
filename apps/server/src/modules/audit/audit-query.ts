import type { TAuditEntry, TAuditLogFilter, TAuditLogPage, TAuditLogQuery } from "@parley/shared";
import { and, desc, eq, gte, ilike, like, lt, or, type SQL } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, audit, toAuditEntryDto } from "./audit.service.ts";
import { auditLog } from "./audit.tables.ts";

const EXPORT_PAGE_SIZE = 500;

/** LIKE treats `%`, `_` and the escape character itself as wildcards; a search for them means the characters. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** Every filter as SQL, always scoped to one workspace. */
const conditionsOf = (workspaceId: string, filter: TAuditLogFilter): SQL | undefined => {
  const action = filter.action;
  const search = filter.search ? `%${escapeLike(filter.search)}%` : undefined;
  return and(
    eq(auditLog.workspaceId, workspaceId),
    filter.actorId ? eq(auditLog.actorId, filter.actorId) : undefined,
    filter.actorType ? eq(auditLog.actorType, filter.actorType) : undefined,
    action?.endsWith(".*") ? like(auditLog.action, `${escapeLike(action.slice(0, -1))}%`) : undefined,
    action && !action.endsWith(".*") ? eq(auditLog.action, action) : undefined,
    filter.targetType ? eq(auditLog.targetType, filter.targetType) : undefined,
    filter.targetId ? eq(auditLog.targetId, filter.targetId) : undefined,
    filter.from ? gte(auditLog.createdAt, new Date(filter.from)) : undefined,
    filter.to ? lt(auditLog.createdAt, new Date(filter.to)) : undefined,
    search
      ? or(
          ilike(auditLog.action, search),
          ilike(auditLog.actorLabel, search),
          ilike(auditLog.targetLabel, search),
          ilike(auditLog.targetId, search),
        )
      : undefined,
  );
};

const filterOf = (query: TAuditLogQuery): TAuditLogFilter => {
  const { cursor: _cursor, limit: _limit, ...filter } = query;
  return filter;
};

/** Newest first; the id (UUIDv7, time-ordered) is the cursor. */
export const listAuditLog = async (db: Database, workspaceId: string, query: TAuditLogQuery): Promise<TAuditLogPage> => {
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(conditionsOf(workspaceId, filterOf(query)), query.cursor ? lt(auditLog.id, query.cursor) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map(toAuditEntryDto);
  return { items, nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
};

const CSV_COLUMNS = [
  "id",
  "created_at",
  "actor_type",
  "actor_id",
  "actor_label",
  "action",
  "target_type",
  "target_id",
  "target_label",
  "ip",
  "user_agent",
  "before",
  "after",
] as const;

/**
 * One CSV cell (RFC 4180). Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, and tab or
 * carriage return, which some spreadsheets strip first) get a leading apostrophe, so an actor label
 * like `=HYPERLINK(...)` stays text.
 */
export const csvCell = (value: string | null): string => {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

const csvRow = (cells: ReadonlyArray<string | null>): string => `${cells.map(csvCell).join(",")}\r\n`;

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

const entryRow = (entry: TAuditEntry): string =>
  csvRow([
    entry.id,
    entry.createdAt,
    entry.actor.type,
    entry.actor.id,
    entry.actor.label,
    entry.action,
    entry.target.type,
    entry.target.id,
    entry.target.label,
    entry.ip,
    entry.userAgent,
    json(entry.before),
    json(entry.after),
  ]);

/**
 * Records that the log was exported (so exports show up in the log itself), then returns the rows
 * older than that record: the file is the log as it stood when the export was asked for, read in
 * pages so a large log never sits in memory.
 */
export const exportAuditLog = async (
  db: Database,
  realtime: RealtimePublisher,
  input: { workspaceId: string; filter: TAuditLogFilter; actor: AuditActor },
): Promise<AsyncGenerator<string>> => {
  const exported = await audit(db, realtime, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "audit.exported",
    target: { type: "audit_log", id: null, label: "Audit log" },
    after: { format: "csv", filter: input.filter },
  });
  const conditions = conditionsOf(input.workspaceId, input.filter);
  async function* rows(): AsyncGenerator<string> {
    yield csvRow(CSV_COLUMNS);
    let before = exported.id;
    for (;;) {
      const page = await db
        .select()
        .from(auditLog)
        .where(and(conditions, lt(auditLog.id, before)))
        .orderBy(desc(auditLog.id))
        .limit(EXPORT_PAGE_SIZE);
      if (page.length > 0) yield page.map((row) => entryRow(toAuditEntryDto(row))).join("");
      const last = page.at(-1);
      if (!last || page.length < EXPORT_PAGE_SIZE) return;
      before = last.id;
    }
  }
  return rows();
};
