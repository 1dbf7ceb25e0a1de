import { createHash, randomBytes } from "node:crypto";
import type { TSessionResponse } from "@parley/shared";
import { and, asc, eq } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { ClientContext } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, audit } from "../audit/audit.service.ts";
import { ssoConnections, ssoDomains } from "../sso/sso.tables.ts";
import { findActiveMembership, toRoleSummary, toWorkspaceDto } from "../workspaces/workspaces.service.ts";
import { memberships, workspaces } from "../workspaces/workspaces.tables.ts";
import { oneTimeTokens, sessions, users } from "./auth.tables.ts";
import { avatarUrlOf } from "./avatar-urls.ts";
import { hashToken, newSessionToken } from "./session-token.ts";

type UserRow = typeof users.$inferSelect;

/** How a session was opened; password and login codes need the second factor, SSO does not. */
export type SignInMethod = "password" | "login_code" | "sso" | "signup" | "invitation" | "two_factor";

export type SessionPolicy = { ttlDays: number };

export const toUserDto = (user: UserRow) => ({
  id: user.id,
  name: user.name,
  email: user.email,
  emailVerified: user.emailVerifiedAt !== null,
  twoFactorEnabled: user.totpEnabledAt !== null,
  avatarUrl: avatarUrlOf(user.avatarKey),
  createdAt: user.createdAt.toISOString(),
});

export const TWO_FACTOR_CHALLENGE_TTL_MS = 10 * 60_000;

/** Opens a session row for a member of a workspace and returns what the client needs. */
export const openSession = async (
  db: DatabaseOrTransaction,
  input: { user: UserRow; workspaceId: string; client: ClientContext; policy: SessionPolicy; method: SignInMethod },
): Promise<TSessionResponse> => {
  const membership = await findActiveMembership(db, input.workspaceId, input.user.id);
  if (!membership) {
    throw new AppError("forbidden", "You are not an active member of this workspace.", undefined, {
      reason: "not_workspace_member",
    });
  }
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + input.policy.ttlDays * 86_400_000);
  await db.insert(sessions).values({
    userId: input.user.id,
    workspaceId: input.workspaceId,
    tokenHash: hashToken(token),
    userAgent: input.client.userAgent?.slice(0, 512) ?? null,
    ip: input.client.ip,
    method: input.method,
    expiresAt,
  });
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, input.user.id));
  return {
    token,
    expiresAt: expiresAt.toISOString(),
    user: toUserDto(input.user),
    workspace: toWorkspaceDto(membership.workspace),
    role: toRoleSummary(membership.role),
    permissions: membership.role.permissions,
  };
};

/**
 * The workspace a sign-in lands in: the one asked for, else the member's oldest workspace that is
 * not suspended. Signing in to a suspended workspace is refused here rather than on first use.
 */
const chooseWorkspace = async (db: DatabaseOrTransaction, userId: string, requested: string | undefined): Promise<string> => {
  const candidates = await db
    .select({ id: workspaces.id, suspendedAt: workspaces.suspendedAt })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, "active")))
    .orderBy(asc(memberships.createdAt));
  const usable = candidates.filter(
    (candidate) => candidate.suspendedAt === null && (requested === undefined || candidate.id === requested),
  );
  const chosen = usable[0]?.id;
  if (chosen) return chosen;
  const isSuspended = candidates.some((candidate) => requested === undefined || candidate.id === requested);
  if (isSuspended) throw new AppError("workspace_suspended", "This workspace is suspended. Contact the Parley operator.");
  throw new AppError("forbidden", "Your account belongs to no workspace; ask an admin to invite you.", undefined, {
    reason: "no_workspace",
  });
};

/** The SSO connection that owns this email's domain and forbids password sign-in, if any. */
export const findEnforcedSsoConnection = async (db: DatabaseOrTransaction, email: string) => {
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  const [row] = await db
    .select({ id: ssoConnections.id, name: ssoConnections.name, workspaceId: ssoConnections.workspaceId })
    .from(ssoDomains)
    .innerJoin(ssoConnections, eq(ssoConnections.id, ssoDomains.connectionId))
    .where(
      and(eq(ssoDomains.domain, domain), eq(ssoConnections.isEnabled, true), eq(ssoConnections.isPasswordLoginForbidden, true)),
    );
  return row ?? null;
};

const hashChallenge = (token: string) => createHash("sha256").update(token).digest("hex");

/** Starts the second step for a member with TOTP: a short-lived, attempt-limited challenge. */
const createTwoFactorChallenge = async (db: DatabaseOrTransaction, user: UserRow, workspaceId: string): Promise<string> => {
  const challengeToken = `tfc_${randomBytes(24).toString("base64url")}`;
  await db.insert(oneTimeTokens).values({
    purpose: "two_factor_challenge",
    userId: user.id,
    workspaceId,
    tokenHash: hashChallenge(challengeToken),
    maxAttempts: 5,
    expiresAt: new Date(Date.now() + TWO_FACTOR_CHALLENGE_TTL_MS),
  });
  return challengeToken;
};

export const hashTwoFactorChallenge = hashChallenge;

/**
 * The last steps every sign-in shares, once the first factor (password, emailed code, SSO) is
 * proven: choose the workspace, refuse password sign-in where SSO is enforced, ask for the second
 * factor when the member has one, then open the session and audit it.
 */
export const completeSignIn = async (
  db: Database,
  realtime: RealtimePublisher,
  input: {
    user: UserRow;
    method: SignInMethod;
    client: ClientContext;
    policy: SessionPolicy;
    actor: AuditActor;
    /** A specific workspace (invitation, SSO); otherwise the member's oldest one. */
    workspaceId?: string;
  },
): Promise<TSessionResponse> => {
  const workspaceId = await chooseWorkspace(db, input.user.id, input.workspaceId);

  if (input.method === "password" || input.method === "login_code") {
    const enforced = await findEnforcedSsoConnection(db, input.user.email);
    if (enforced) {
      throw new AppError("sso_required", `Sign in with ${enforced.name}: your organisation uses single sign-on.`, {
        connectionId: enforced.id,
      });
    }
    if (input.user.totpEnabledAt !== null) {
      const challengeToken = await createTwoFactorChallenge(db, input.user, workspaceId);
      throw new AppError("two_factor_required", "Enter the code from your authenticator app, or a backup code.", {
        challengeToken,
        expiresInSeconds: TWO_FACTOR_CHALLENGE_TTL_MS / 1000,
      });
    }
  }

  const session = await openSession(db, {
    user: input.user,
    workspaceId,
    client: input.client,
    policy: input.policy,
    method: input.method,
  });
  await audit(db, realtime, {
    workspaceId,
    actor: { ...input.actor, id: input.user.id, label: input.user.email },
    action: "auth.signed_in",
    target: { type: "user", id: input.user.id, label: input.user.email },
    after: { method: input.method },
  });
  return session;
};
