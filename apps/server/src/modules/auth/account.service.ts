import type {
  TChangePasswordRequest,
  TChangePasswordResponse,
  TLoginCodeVerifyRequest,
  TPasswordResetRequest,
  TSessionResponse,
  TUpdateProfileRequest,
  TUser,
} from "@parley/shared";
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { ClientContext, RequestIdentity } from "../../platform/identity.ts";
import { renderMail } from "../../platform/mail/templates.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, type AuditInput, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { listMemberships } from "../workspaces/workspaces.service.ts";
import { sessions, users } from "./auth.tables.ts";
import {
  checkLoginCode,
  consumeLinkToken,
  findLiveLinkToken,
  invalidateLinkTokens,
  issueLinkToken,
  issueLoginCode,
} from "./one-time-tokens.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { assertPasswordAllowed, storeNewPassword } from "./password-policy.ts";
import { completeSignIn, type SessionPolicy, toUserDto } from "./sign-in.ts";

export type AccountServices = Pick<AppServices, "db" | "realtime" | "mailer" | "config">;
export type Member = RequestIdentity & { userId: string; sessionId: string };
type UserRow = typeof users.$inferSelect;
export type AuditEntries = Array<{ workspaceId: string | null; entry: Awaited<ReturnType<typeof recordAudit>> }>;

export const EMAIL_VERIFICATION_TTL_MS = 24 * 3_600_000;
export const PASSWORD_RESET_TTL_MS = 3_600_000;
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
export const LOGIN_CODE_MAX_ATTEMPTS = 5;

const invalidLink = () =>
  new AppError("invalid_token", "This link is invalid, expired or already used. Request a new one and use the latest email.");

export const findUserByEmail = async (db: DatabaseOrTransaction, email: string): Promise<UserRow | null> => {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return user ?? null;
};

const findUser = async (db: DatabaseOrTransaction, userId: string): Promise<UserRow> => {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("unauthorized", "Your account no longer exists.");
  return user;
};

/**
 * Account events (password, email, profile) concern every workspace the person belongs to, so each
 * workspace's admins see them in their own audit log.
 */
export const recordForUser = async (db: DatabaseOrTransaction, userId: string, input: Omit<AuditInput, "workspaceId">) => {
  const workspaceIds = (await listMemberships(db, userId)).map((membership) => membership.workspace.id);
  const entries: AuditEntries = [];
  for (const workspaceId of workspaceIds.length > 0 ? workspaceIds : [null]) {
    entries.push({ workspaceId, entry: await recordAudit(db, { ...input, workspaceId }) });
  }
  return entries;
};

export const publishAll = (services: Pick<AccountServices, "realtime">, entries: AuditEntries) => {
  for (const { workspaceId, entry } of entries) publishAudit(services.realtime, workspaceId, entry);
};

const asUserActor = (actor: AuditActor, user: Pick<UserRow, "id" | "email">): AuditActor => ({
  ...actor,
  id: user.id,
  label: user.email,
});

export const userTarget = (user: Pick<UserRow, "id" | "email">) => ({ type: "user", id: user.id, label: user.email });

/** Ends the user's open sessions (all, or all but one) and returns them, so the caller can close their sockets after commit. */
export const endUserSessions = (db: DatabaseOrTransaction, userId: string, reason: string, keepSessionId?: string) =>
  db
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        keepSessionId === undefined ? undefined : ne(sessions.id, keepSessionId),
      ),
    )
    .returning({ id: sessions.id, workspaceId: sessions.workspaceId });

// ── Email verification ──────────────────────────────────────────────────────────────────────────

/** Queues the confirmation mail with a single-use link; call in the transaction that created the need. */
export const queueEmailVerification = async (
  db: DatabaseOrTransaction,
  services: Pick<AccountServices, "mailer" | "config">,
  user: Pick<UserRow, "id" | "email" | "name">,
  workspaceId: string | null,
): Promise<void> => {
  const token = await issueLinkToken(db, {
    purpose: "email_verification",
    userId: user.id,
    email: user.email,
    workspaceId,
    ttlMs: EMAIL_VERIFICATION_TTL_MS,
  });
  await services.mailer.queue(db, {
    to: user.email,
    workspaceId,
    ...renderMail({
      subject: "Confirm your email address for Parley",
      heading: `Confirm your email address, ${user.name}`,
      paragraphs: [
        "Confirm that this address is yours, so Parley can send you sign-in codes and password resets.",
        "The link works once and expires in 24 hours.",
      ],
      action: {
        label: "Confirm email address",
        url: `${services.config.publicUrl}/verify-email?token=${encodeURIComponent(token)}`,
      },
    }),
  });
};

export const verifyEmail = async (services: AccountServices, token: string, actor: AuditActor): Promise<void> => {
  const entries = await services.db.transaction(async (tx) => {
    const used = await consumeLinkToken(tx, "email_verification", token);
    if (!used?.userId) throw invalidLink();
    const user = await findUser(tx, used.userId);
    // A link sent to an earlier address proves nothing about the current one.
    if (user.email !== used.email) throw invalidLink();
    if (user.emailVerifiedAt !== null) return [];
    await tx.update(users).set({ emailVerifiedAt: new Date(), updatedAt: new Date() }).where(eq(users.id, user.id));
    return recordForUser(tx, user.id, {
      actor: asUserActor(actor, user),
      action: "auth.email_verified",
      target: userTarget(user),
      after: { email: user.email, via: "link" },
    });
  });
  publishAll(services, entries);
};

export const resendEmailVerification = async (services: AccountServices, member: Member, actor: AuditActor): Promise<void> => {
  const user = await findUser(services.db, member.userId);
  if (user.emailVerifiedAt !== null) {
    throw new AppError("conflict", "Your email address is already confirmed.", undefined, { reason: "email_already_verified" });
  }
  const entry = await services.db.transaction(async (tx) => {
    await queueEmailVerification(tx, services, user, member.workspaceId);
    return recordAudit(tx, {
      workspaceId: member.workspaceId,
      actor,
      action: "auth.email_verification_sent",
      target: userTarget(user),
    });
  });
  publishAudit(services.realtime, member.workspaceId, entry);
};

// ── Passwordless sign-in ────────────────────────────────────────────────────────────────────────

/** Mails a sign-in code when the account exists; otherwise stores an unsendable decoy so both behave alike. */
export const requestLoginCode = async (services: AccountServices, email: string, actor: AuditActor): Promise<void> => {
  const user = await findUserByEmail(services.db, email);
  const entries = await services.db.transaction(async (tx) => {
    const workspaceId = user ? ((await listMemberships(tx, user.id))[0]?.workspace.id ?? null) : null;
    const code = await issueLoginCode(tx, {
      email,
      userId: user?.id ?? null,
      workspaceId,
      ttlMs: LOGIN_CODE_TTL_MS,
      maxAttempts: LOGIN_CODE_MAX_ATTEMPTS,
    });
    if (!user) return [];
    await services.mailer.queue(tx, {
      to: user.email,
      workspaceId,
      ...renderMail({
        subject: "Your Parley sign-in code",
        heading: "Your sign-in code",
        paragraphs: [
          "Enter this code on the sign-in page. It works once and expires in 10 minutes.",
          "If you did not try to sign in, you can ignore this email: nobody can use the code without your inbox.",
        ],
        code,
      }),
    });
    // The requester is not proven to be the user: the actor stays the anonymous caller.
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "auth.login_code_sent",
      target: userTarget(user),
    });
    return [{ workspaceId, entry }];
  });
  publishAll(services, entries);
};

export const verifyLoginCode = async (
  services: AccountServices,
  input: TLoginCodeVerifyRequest,
  client: ClientContext,
  policy: SessionPolicy,
  actor: AuditActor,
): Promise<TSessionResponse> => {
  const check = await checkLoginCode(services.db, input.email, input.code);
  switch (check.outcome) {
    case "exhausted":
      throw new AppError("too_many_attempts", "Too many wrong codes: this one no longer works. Request a new code.");
    case "wrong":
      throw new AppError("invalid_code", "This code is not right or has expired. Use the code from the latest email.");
    case "accepted":
      break;
  }
  let user = await findUser(services.db, check.userId);
  if (user.emailVerifiedAt === null) {
    // The code reached the inbox, which proves the address as much as a verification link does.
    const [verified] = await services.db
      .update(users)
      .set({ emailVerifiedAt: new Date(), updatedAt: new Date() })
      .where(eq(users.id, user.id))
      .returning();
    user = verified ?? user;
    const entries = await recordForUser(services.db, user.id, {
      actor: asUserActor(actor, user),
      action: "auth.email_verified",
      target: userTarget(user),
      after: { email: user.email, via: "login_code" },
    });
    publishAll(services, entries);
  }
  return completeSignIn(services.db, services.realtime, { user, method: "login_code", client, policy, actor });
};

// ── Passwords ───────────────────────────────────────────────────────────────────────────────────

export const requestPasswordReset = async (services: AccountServices, email: string, actor: AuditActor): Promise<void> => {
  const user = await findUserByEmail(services.db, email);
  if (!user) return;
  const entries = await services.db.transaction(async (tx) => {
    const workspaceId = (await listMemberships(tx, user.id))[0]?.workspace.id ?? null;
    const token = await issueLinkToken(tx, {
      purpose: "password_reset",
      userId: user.id,
      email: user.email,
      workspaceId,
      ttlMs: PASSWORD_RESET_TTL_MS,
    });
    await services.mailer.queue(tx, {
      to: user.email,
      workspaceId,
      ...renderMail({
        subject: "Reset your Parley password",
        heading: "Reset your password",
        paragraphs: [
          "Someone asked to reset the password of your Parley account. Choose a new one with the link below.",
          "The link works once and expires in 1 hour. Resetting signs you out on every device.",
          "If you did not ask for this, ignore this email: your password stays as it is.",
        ],
        action: {
          label: "Choose a new password",
          url: `${services.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`,
        },
      }),
    });
    return recordForUser(tx, user.id, {
      actor,
      action: "auth.password_reset_requested",
      target: userTarget(user),
    });
  });
  publishAll(services, entries);
};

/** Sets a new password from an emailed link; the link proves the address, and every session ends. */
export const resetPassword = async (
  services: AccountServices,
  input: TPasswordResetRequest,
  actor: AuditActor,
): Promise<void> => {
  // Checked before the token is used up, so a refused password does not burn the link.
  const live = await findLiveLinkToken(services.db, "password_reset", input.token);
  if (!live?.userId) throw invalidLink();
  const user = await findUser(services.db, live.userId);
  if (user.email !== live.email) throw invalidLink();
  await assertPasswordAllowed(services.db, {
    ...input,
    email: user.email,
    name: user.name,
    userId: user.id,
    field: "body.password",
  });
  const passwordHash = await hashPassword(input.password);

  const { ended, entries } = await services.db.transaction(async (tx) => {
    if (!(await consumeLinkToken(tx, "password_reset", input.token))) throw invalidLink();
    await storeNewPassword(tx, user.id, passwordHash);
    if (user.emailVerifiedAt === null) await tx.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
    await invalidateLinkTokens(tx, "password_reset", user.id);
    const ended = await endUserSessions(tx, user.id, "password_reset");
    const entries = await recordForUser(tx, user.id, {
      actor: asUserActor(actor, user),
      action: "auth.password_reset",
      target: userTarget(user),
      after: { sessionsEnded: ended.length },
    });
    return { ended, entries };
  });
  for (const session of ended) services.realtime.disconnectSession(session.id);
  publishAll(services, entries);
};

/** Changes the password of the signed-in member; their other devices are signed out, this one stays. */
export const changePassword = async (
  services: AccountServices,
  member: Member,
  input: TChangePasswordRequest,
  actor: AuditActor,
): Promise<TChangePasswordResponse> => {
  const user = await findUser(services.db, member.userId);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    const message =
      user.passwordHash === null
        ? "Your account has no password yet: set one with “Forgot password” on the sign-in page."
        : "This is not your current password.";
    throw new AppError("validation_failed", message, [{ path: "body.currentPassword", message }]);
  }
  await assertPasswordAllowed(services.db, {
    password: input.newPassword,
    email: user.email,
    name: user.name,
    userId: user.id,
    field: "body.newPassword",
  });
  const passwordHash = await hashPassword(input.newPassword);
  const { ended, entries } = await services.db.transaction(async (tx) => {
    await storeNewPassword(tx, user.id, passwordHash);
    await invalidateLinkTokens(tx, "password_reset", user.id);
    const ended = await endUserSessions(tx, user.id, "password_changed", member.sessionId);
    const entries = await recordForUser(tx, user.id, {
      actor,
      action: "auth.password_changed",
      target: userTarget(user),
      after: { otherSessionsEnded: ended.length },
    });
    return { ended, entries };
  });
  for (const session of ended) services.realtime.disconnectSession(session.id);
  publishAll(services, entries);
  return { ok: true, otherSessionsEnded: ended.length };
};

// ── Profile ─────────────────────────────────────────────────────────────────────────────────────

export const updateProfile = async (
  services: AccountServices,
  member: Member,
  input: TUpdateProfileRequest,
  actor: AuditActor,
): Promise<TUser> => {
  const { after, entries } = await services.db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, member.userId)).for("update");
    if (!before) throw new AppError("unauthorized", "Your account no longer exists.");
    const [after] = await tx
      .update(users)
      .set({ name: input.name, updatedAt: new Date() })
      .where(eq(users.id, member.userId))
      .returning();
    if (!after) throw new Error("user update returned no row");
    const change = changedFields({ name: before.name }, { name: after.name });
    const entries = change
      ? await recordForUser(tx, after.id, { actor, action: "user.profile_updated", target: userTarget(after), ...change })
      : [];
    return { after, entries };
  });
  publishAll(services, entries);
  return toUserDto(after);
};

// ── Sessions ────────────────────────────────────────────────────────────────────────────────────
