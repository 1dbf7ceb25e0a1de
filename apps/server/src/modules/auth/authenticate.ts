import type { Permission } from "@parley/shared";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { type Database, type DatabaseOrTransaction, preparedPerConnection } from "../../platform/db.ts";
import type { ClientContext, RequestIdentity, SessionRestriction } from "../../platform/identity.ts";
import { authenticateApiKey, looksLikeApiKey } from "../api-keys/api-key-auth.ts";
import { assertWorkspaceAdmits } from "../workspaces/workspace-admission.ts";
import { memberships, roles, workspaces } from "../workspaces/workspaces.tables.ts";
import { sessions, users } from "./auth.tables.ts";
import { hashToken, looksLikeSessionToken } from "./session-token.ts";

// Touching last_seen_at on every request would turn each read into a write.
const LAST_SEEN_RESOLUTION_MS = 60_000;

export const endSession = async (db: Database, sessionId: string, reason: string): Promise<void> => {
  await db
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
};

const restrictionOf = (row: {
  requireTwoFactor: boolean;
  totpEnabledAt: Date | null;
  passwordExpiryDays: number | null;
  hasPassword: boolean;
  passwordChangedAt: Date | null;
  userCreatedAt: Date;
  method: string;
}): SessionRestriction | null => {
  if (row.requireTwoFactor && row.totpEnabledAt === null) return "two_factor_enrolment_required";
  // Expiry applies to sign-ins that used the password (alone or followed by a second factor);
  // SSO and emailed-code sign-ins never use it.
  if (row.passwordExpiryDays !== null && row.hasPassword && (row.method === "password" || row.method === "two_factor")) {
    const changedAt = row.passwordChangedAt ?? row.userCreatedAt;
    if (Date.now() - changedAt.getTime() > row.passwordExpiryDays * 86_400_000) return "password_change_required";
  }
  return null;
};

/**
 * A session's person, membership, role and workspace policy by its token's hash: every signed-in
 * request runs it, so it is prepared once per connection, where PostgreSQL would otherwise plan its
 * five-table join each time (most of an authenticated request's time on a small server).
 */
const selectSession = preparedPerConnection((db: DatabaseOrTransaction) =>
  db
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      workspaceId: sessions.workspaceId,
      method: sessions.method,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      email: users.email,
      isPlatformAdmin: users.isPlatformAdmin,
      totpEnabledAt: users.totpEnabledAt,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
      passwordChangedAt: users.passwordChangedAt,
      userCreatedAt: users.createdAt,
      roleId: roles.id,
      permissions: roles.permissions,
      suspendedAt: workspaces.suspendedAt,
      ipAllowlist: workspaces.ipAllowlist,
      sessionIdleMinutes: workspaces.sessionIdleMinutes,
      sessionAbsoluteHours: workspaces.sessionAbsoluteHours,
      requireTwoFactor: workspaces.requireTwoFactor,
      passwordExpiryDays: workspaces.passwordExpiryDays,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(
      memberships,
      and(
        eq(memberships.userId, sessions.userId),
        eq(memberships.workspaceId, sessions.workspaceId),
        eq(memberships.status, "active"),
      ),
    )
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .innerJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    .where(
      and(
        eq(sessions.tokenHash, sql.placeholder("tokenHash")),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`${sql.placeholder("now")}::timestamptz`),
      ),
    )
    .prepare("session_by_token"),
);

const authenticateSession = async (db: Database, token: string, client: ClientContext): Promise<RequestIdentity | null> => {
  const [row] = await selectSession(db, { tokenHash: hashToken(token), now: new Date().toISOString() });
  if (!row) return null;

  const now = Date.now();
  if (row.sessionAbsoluteHours !== null && now - row.createdAt.getTime() > row.sessionAbsoluteHours * 3_600_000) {
    await endSession(db, row.sessionId, "absolute_timeout");
    return null;
  }
  if (row.sessionIdleMinutes !== null && now - row.lastSeenAt.getTime() > row.sessionIdleMinutes * 60_000) {
    await endSession(db, row.sessionId, "idle_timeout");
    return null;
  }
  assertWorkspaceAdmits(row, client);
  if (now - row.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date(now), ip: client.ip })
      .where(eq(sessions.id, row.sessionId));
  }
  return {
    kind: "session",
    workspaceId: row.workspaceId,
    userId: row.userId,
    sessionId: row.sessionId,
    apiKeyId: null,
    roleId: row.roleId,
    permissions: row.permissions satisfies Permission[],
    actorLabel: row.email,
    restriction: restrictionOf(row),
    isPlatformAdmin: row.isPlatformAdmin,
  };
};

/**
 * Resolves a bearer token (session or API key) to who is calling, or null when the token is not
 * valid. Throws for valid tokens the workspace refuses (suspended, IP not allowed).
 */
export const authenticateToken = async (db: Database, token: string, client: ClientContext): Promise<RequestIdentity | null> => {
  if (looksLikeSessionToken(token)) return authenticateSession(db, token, client);
  if (looksLikeApiKey(token)) return authenticateApiKey(db, token, client);
  return null;
};
