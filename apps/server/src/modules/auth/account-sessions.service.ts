import type { TAccountSession } from "@parley/shared";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { type AuditActor, type AuditInput, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { memberships, workspaces } from "../workspaces/workspaces.tables.ts";
import { type AccountServices, type AuditEntries, endUserSessions, type Member, publishAll } from "./account.service.ts";
import { sessions } from "./auth.tables.ts";
import { describeUserAgent } from "./user-agent.ts";

/** The member's sessions that still work: not ended, not expired, within their workspace's timeouts. */
export const listOwnSessions = async (db: Database, member: Member): Promise<TAccountSession[]> => {
  const rows = await db
    .select({ session: sessions })
    .from(sessions)
    .innerJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    .innerJoin(
      memberships,
      and(
        eq(memberships.workspaceId, sessions.workspaceId),
        eq(memberships.userId, sessions.userId),
        eq(memberships.status, "active"),
      ),
    )
    .where(
      and(
        eq(sessions.userId, member.userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        sql`(${workspaces.sessionIdleMinutes} is null or ${sessions.lastSeenAt} > now() - make_interval(mins => ${workspaces.sessionIdleMinutes}))`,
        sql`(${workspaces.sessionAbsoluteHours} is null or ${sessions.createdAt} > now() - make_interval(hours => ${workspaces.sessionAbsoluteHours}))`,
      ),
    )
    .orderBy(desc(sessions.lastSeenAt));
  return rows.map(({ session }) => ({
    id: session.id,
    workspaceId: session.workspaceId,
    method: session.method,
    ...describeUserAgent(session.userAgent),
    ip: session.ip,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    isCurrent: session.id === member.sessionId,
  }));
};

const sessionEndedAudit = (session: { id: string; workspaceId: string }, actor: AuditActor): AuditInput => ({
  workspaceId: session.workspaceId,
  actor,
  action: "auth.session_ended",
  target: { type: "session", id: session.id },
  after: { reason: "revoked" },
});

/** Ends one of the member's own sessions; any other id, or one already ended, is not found. */
export const endOwnSession = async (
  services: AccountServices,
  member: Member,
  sessionId: string,
  actor: AuditActor,
): Promise<void> => {
  const { ended, entry } = await services.db.transaction(async (tx) => {
    const [ended] = await tx
      .update(sessions)
      .set({ revokedAt: new Date(), revokedReason: "revoked" })
      .where(
        and(
          eq(sessions.id, sessionId),
          eq(sessions.userId, member.userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql`now()`),
        ),
      )
      .returning({ id: sessions.id, workspaceId: sessions.workspaceId });
    if (!ended) throw new AppError("not_found", "You have no active session with this id; list yours with GET /me/sessions.");
    return { ended, entry: await recordAudit(tx, sessionEndedAudit(ended, actor)) };
  });
  services.realtime.disconnectSession(ended.id);
  publishAudit(services.realtime, ended.workspaceId, entry);
};

/** "Log out everywhere else": ends every session of the member except the one making the request. */
export const endOtherSessions = async (services: AccountServices, member: Member, actor: AuditActor): Promise<number> => {
  const { ended, entries } = await services.db.transaction(async (tx) => {
    const ended = await endUserSessions(tx, member.userId, "revoked", member.sessionId);
    const entries: AuditEntries = [];
    for (const session of ended) {
      entries.push({ workspaceId: session.workspaceId, entry: await recordAudit(tx, sessionEndedAudit(session, actor)) });
    }
    return { ended, entries };
  });
  for (const session of ended) services.realtime.disconnectSession(session.id);
  publishAll(services, entries);
  return ended.length;
};
