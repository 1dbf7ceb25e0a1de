import { isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../platform/db.ts";
import { defineTask } from "../../platform/queue/tasks.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { publishAudit, recordAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

/** Visitors deleted per transaction: a busy site's backlog goes in short transactions, not one long one. */
const BATCH = 1_000;

/**
 * Deletes anonymous website visitors (never wrote, never named: `contacts.is_anonymous`) that have
 * not been seen for their workspace's `anonymous_visitor_retention_days`, with their identities,
 * visits and trigger firings (foreign keys cascade). A visitor who comes back later is a new visitor.
 *
 * Kept whatever their age: anyone with a conversation (the flag says there is none; this checks it,
 * since deleting the contact would delete the conversation), blocked visitors and those under a ban
 * that has not expired (the ban row would go with them), merged rows and the contacts merged into them.
 */
export const purgeAnonymousVisitorsTask = defineTask({
  name: "contacts.purge_anonymous_visitors",
  payload: z.looseObject({}),
  maxAttempts: 3,
  run: async (_payload, { db, realtime, logger, abortSignal }) => {
    const withRetention = await db
      .select({ id: workspaces.id, name: workspaces.name, days: workspaces.anonymousVisitorRetentionDays })
      .from(workspaces)
      .where(isNotNull(workspaces.anonymousVisitorRetentionDays));
    let total = 0;
    for (const workspace of withRetention) {
      if (workspace.days === null) continue;
      let deleted: number;
      do {
        deleted = await deleteBatch(db, realtime, { ...workspace, days: workspace.days });
        total += deleted;
      } while (deleted === BATCH && !abortSignal.aborted);
    }
    if (total > 0) logger.info({ count: total }, "deleted anonymous visitors past their workspace's retention");
  },
});

/** One transaction: up to BATCH of the workspace's visitors past retention, and its audit entry. */
const deleteBatch = async (
  db: Database,
  realtime: RealtimePublisher,
  workspace: { id: string; name: string; days: number },
): Promise<number> => {
  const { count, entry } = await db.transaction(async (tx) => {
    // A constant cutoff per workspace, so the scan is a range of contacts_workspace_anonymous_seen_idx.
    const cutoff = sql`now() - make_interval(days => ${workspace.days})`;
    const result = await tx.execute<{ count: number }>(sql`
      with doomed as (
        select c.id from contacts c
        where c.workspace_id = ${workspace.id}
          and c.is_anonymous
          and c.merged_into_id is null
          and coalesce(c.last_seen_at, c.created_at) < ${cutoff}
          and c.blocked_at is null
          and not exists (select 1 from visitor_visits v where v.contact_id = c.id and v.last_seen_at >= ${cutoff})
          and not exists (select 1 from conversations x where x.contact_id = c.id)
          and not exists (select 1 from contacts m where m.merged_into_id = c.id)
          and not exists (
            select 1 from visitor_bans b
            where b.contact_id = c.id and (b.expires_at is null or b.expires_at > now())
          )
        limit ${BATCH}
        for update of c skip locked
      ),
      removed as (delete from contacts where id in (select id from doomed) returning 1)
      select count(*)::int as count from removed`);
    const count = result.rows[0]?.count ?? 0;
    if (count === 0) return { count, entry: null };
    const entry = await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: SYSTEM_ACTOR,
      action: "contacts.anonymous_visitors_deleted",
      target: { type: "workspace", id: workspace.id, label: workspace.name },
      after: { count, retentionDays: workspace.days },
    });
    return { count, entry };
  });
  if (entry) publishAudit(realtime, workspace.id, entry);
  return count;
};
