import type { TLoginRequest, TMeResponse, TSessionResponse, TSignupRequest } from "@parley/shared";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { ClientContext, RequestIdentity } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, recordAudit } from "../audit/audit.service.ts";
import { createWorkspaceWithOwner, listMemberships, toRoleSummary, toWorkspaceDto } from "../workspaces/workspaces.service.ts";
import { roles, workspaces } from "../workspaces/workspaces.tables.ts";
import { type AccountServices, findUserByEmail, queueEmailVerification } from "./account.service.ts";
import { sessions, users } from "./auth.tables.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { assertPasswordAllowed, recordPasswordHistory } from "./password-policy.ts";
import { toPreferencesDto } from "./preferences.service.ts";
import { completeSignIn, openSession, type SessionPolicy, toUserDto } from "./sign-in.ts";

export type { SessionPolicy };
export { findUserByEmail };

/** Creates the person, their workspace and a first session, and mails the link that confirms the address. */
export const signUp = async (
  services: Pick<AccountServices, "db" | "mailer" | "config">,
  input: TSignupRequest,
  client: ClientContext,
  policy: SessionPolicy,
  actor: AuditActor,
): Promise<TSessionResponse> => {
  await assertPasswordAllowed(services.db, { ...input, userId: null, field: "body.password" });
  const passwordHash = await hashPassword(input.password);
  try {
    return await services.db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ name: input.name, email: input.email, passwordHash, passwordChangedAt: new Date() })
        .returning();
      if (!user) throw new Error("user insert returned no row");
      await recordPasswordHistory(tx, user.id, passwordHash);
      const { workspace } = await createWorkspaceWithOwner(tx, { name: input.workspaceName, ownerId: user.id });
      await queueEmailVerification(tx, services, user, workspace.id);
      const session = await openSession(tx, { user, workspaceId: workspace.id, client, policy, method: "signup" });
      await recordAudit(tx, {
        workspaceId: workspace.id,
        actor: { ...actor, id: user.id, label: user.email },
        action: "workspace.created",
        target: { type: "workspace", id: workspace.id, label: workspace.name },
        after: { name: workspace.name, owner: user.email },
      });
      return session;
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
  realtime: RealtimePublisher,
  input: TLoginRequest,
  client: ClientContext,
  policy: SessionPolicy,
  actor: AuditActor,
): Promise<TSessionResponse> => {
  const user = await findUserByEmail(db, input.email);
  const isValid = await verifyPassword(user?.passwordHash ?? null, input.password);
  // One answer for unknown email and wrong password: it must not reveal who has an account.
  if (!user || !isValid) throw new AppError("invalid_credentials", "The email or password is not right.");
  return completeSignIn(db, realtime, { user, method: "password", client, policy, actor });
};

export const getMe = async (db: Database, identity: RequestIdentity & { userId: string }): Promise<TMeResponse> => {
  const [user] = await db.select().from(users).where(eq(users.id, identity.userId));
  const [current] = await db
    .select({ workspace: workspaces, role: roles })
    .from(workspaces)
    .innerJoin(roles, eq(roles.workspaceId, workspaces.id))
    .where(sql`${workspaces.id} = ${identity.workspaceId} and ${roles.id} = ${identity.roleId}`);
  if (!user || !current) throw new AppError("unauthorized", "Your session has ended; sign in again.");
  return {
    user: toUserDto(user),
    workspace: toWorkspaceDto(current.workspace),
    role: toRoleSummary(current.role),
    permissions: [...identity.permissions],
    restriction: identity.restriction,
    isPlatformAdmin: identity.isPlatformAdmin,
    memberships: await listMemberships(db, user.id),
    preferences: toPreferencesDto(user.preferences),
  };
};

/** Deletes sessions past their expiry; run daily by the worker. */
export const pruneExpiredSessions = async (db: Database): Promise<number> => {
  const deleted = await db
    .delete(sessions)
    .where(sql`${sessions.expiresAt} < now() - interval '1 day' or ${sessions.revokedAt} < now() - interval '30 days'`)
    .returning({ id: sessions.id });
  return deleted.length;
};
