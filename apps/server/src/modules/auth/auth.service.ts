import type { TLoginRequest, TMeResponse, TSessionResponse, TSignupRequest, WorkspaceRole } from "@parley/shared";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { AgentIdentity } from "../../platform/realtime.ts";
import { createWorkspaceWithOwner, listMemberships, toWorkspaceDto } from "../workspaces/workspaces.service.ts";
import { memberships, workspaces } from "../workspaces/workspaces.tables.ts";
import { sessions, users } from "./auth.tables.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { hashToken, looksLikeSessionToken, newSessionToken } from "./session-token.ts";

export type ClientInfo = { ip: string; userAgent: string | undefined };
export type SessionPolicy = { ttlDays: number };

type UserRow = typeof users.$inferSelect;

export const toUserDto = (user: UserRow) => ({
  id: user.id,
  name: user.name,
  email: user.email,
  createdAt: user.createdAt.toISOString(),
});

// Touching last_seen_at on every request would turn each read into a write.
const LAST_SEEN_RESOLUTION_MS = 60_000;

const openSession = async (
  db: Pick<Database, "insert">,
  input: { userId: string; workspaceId: string; client: ClientInfo; policy: SessionPolicy },
) => {
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + input.policy.ttlDays * 86_400_000);
  await db.insert(sessions).values({
    userId: input.userId,
    workspaceId: input.workspaceId,
    tokenHash: hashToken(token),
    userAgent: input.client.userAgent?.slice(0, 512) ?? null,
    ip: input.client.ip,
    expiresAt,
  });
  return { token, expiresAt };
};

export const signUp = async (
  db: Database,
  input: TSignupRequest,
  client: ClientInfo,
  policy: SessionPolicy,
): Promise<TSessionResponse> => {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ name: input.name, email: input.email, passwordHash }).returning();
      if (!user) throw new Error("user insert returned no row");
      const workspace = await createWorkspaceWithOwner(tx, { name: input.workspaceName, ownerId: user.id });
      const session = await openSession(tx, { userId: user.id, workspaceId: workspace.id, client, policy });
      return {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        user: toUserDto(user),
        workspace: toWorkspaceDto(workspace),
        role: "owner" as const,
      };
    });
  } catch (error) {
    if (isUniqueViolation(error, "users_email_unique")) {
      throw new AppError("email_taken", "An account with this email already exists; sign in instead.", [
        { path: "email", message: "already registered" },
      ]);
    }
    throw error;
  }
};

export const logIn = async (
  db: Database,
  input: TLoginRequest,
  client: ClientInfo,
  policy: SessionPolicy,
): Promise<TSessionResponse> => {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${input.email}`);
  const isValid = await verifyPassword(user?.passwordHash ?? null, input.password);
  // One answer for unknown email and wrong password: it must not reveal who has an account.
  if (!user || !isValid) throw new AppError("invalid_credentials", "The email or password is not right.");
  const [membership] = await listMemberships(db, user.id);
  if (!membership) throw new AppError("forbidden", "Your account belongs to no workspace; ask an admin to invite you.");
  const session = await openSession(db, { userId: user.id, workspaceId: membership.workspace.id, client, policy });
  return {
    token: session.token,
    expiresAt: session.expiresAt.toISOString(),
    user: toUserDto(user),
    workspace: membership.workspace,
    role: membership.role,
  };
};

export type AuthenticatedSession = AgentIdentity;

/** Resolves a bearer token to a live session and the member's current role, or null. */
export const authenticateSessionToken = async (db: Database, token: string): Promise<AuthenticatedSession | null> => {
  if (!looksLikeSessionToken(token)) return null;
  const [row] = await db
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      workspaceId: sessions.workspaceId,
      lastSeenAt: sessions.lastSeenAt,
      role: memberships.role,
    })
    .from(sessions)
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.workspaceId, sessions.workspaceId)))
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())));
  if (!row) return null;
  if (Date.now() - row.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    await db.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.id, row.sessionId));
  }
  return { sessionId: row.sessionId, userId: row.userId, workspaceId: row.workspaceId, role: row.role };
};

export const revokeSession = async (db: Database, sessionId: string): Promise<void> => {
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
};

export const getMe = async (db: Database, identity: AuthenticatedSession): Promise<TMeResponse> => {
  const [user] = await db.select().from(users).where(eq(users.id, identity.userId));
  const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, identity.workspaceId));
  if (!user || !workspace) throw new AppError("unauthorized", "Your session has ended; sign in again.");
  return {
    user: toUserDto(user),
    workspace: toWorkspaceDto(workspace),
    role: identity.role satisfies WorkspaceRole,
    memberships: await listMemberships(db, user.id),
  };
};

/** Deletes sessions past their expiry; run daily by the worker. */
export const pruneExpiredSessions = async (db: Database): Promise<number> => {
  const deleted = await db
    .delete(sessions)
    .where(sql`${sessions.expiresAt} < now() - interval '1 day'`)
    .returning({ id: sessions.id });
  return deleted.length;
};
