import { createHash, randomInt } from "node:crypto";
import {
  BACKUP_CODE_COUNT,
  type TBackupCodesResponse,
  type TConfirmTwoFactorResponse,
  type TDisableTwoFactorRequest,
  type TSessionResponse,
  type TTwoFactorEnrolment,
  type TTwoFactorStatus,
  type TVerifyTwoFactorRequest,
} from "@parley/shared";
import { and, count, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import type { SecretBox } from "../../platform/crypto.ts";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { ClientContext } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { backupCodes, oneTimeTokens, users } from "./auth.tables.ts";
import { verifyPassword } from "./password.ts";
import { hashTwoFactorChallenge, openSession, type SessionPolicy } from "./sign-in.ts";

type UserRow = typeof users.$inferSelect;

const ISSUER = "Parley";
/** One 30-second step either side, for phones whose clock drifts a little. */
const CLOCK_DRIFT_TOLERANCE_SECONDS = 30;
// No ambiguous characters (0/o, 1/l/i), so codes copied from paper are read back right.
const BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const BACKUP_CODE_LENGTH = 10;
/** The replay guard only matters inside the drift window; afterwards its row may be pruned. */
const REPLAY_GUARD_TTL_MS = 10 * 60_000;

export type TwoFactorServices = { db: Database; realtime: RealtimePublisher; secrets: SecretBox };

// ---- codes -------------------------------------------------------------------------------------

const newBackupCode = (): string =>
  Array.from({ length: BACKUP_CODE_LENGTH }, () => BACKUP_CODE_ALPHABET[randomInt(BACKUP_CODE_ALPHABET.length)]).join("");

const displayBackupCode = (code: string): string => `${code.slice(0, 5)}-${code.slice(5)}`;

// Salted with the user id so one leaked hash list cannot be matched across accounts.
const hashBackupCode = (userId: string, normalisedCode: string): string =>
  createHash("sha256").update(`${userId}:${normalisedCode}`).digest("hex");

/** Replaces every backup code of the user with ten new ones; returns them for display, once. */
const replaceBackupCodes = async (tx: DatabaseOrTransaction, userId: string): Promise<string[]> => {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, newBackupCode);
  await tx.delete(backupCodes).where(eq(backupCodes.userId, userId));
  await tx.insert(backupCodes).values(codes.map((code) => ({ userId, codeHash: hashBackupCode(userId, code) })));
  return codes.map(displayBackupCode);
};

type TotpCheck = { isValid: true; timeStep: number } | { isValid: false; isReplay: boolean };

/*
 * Replay guard. A TOTP code stays valid for its whole window, so the last accepted time step of
 * each user is remembered and a code whose step is not newer is refused (RFC 6238 §5.2). The
 * schema has no column for it: it lives in the metadata of one per-user one_time_tokens row, keyed
 * by a deterministic hash and born used with no attempts, so it can never pass as a challenge.
 */
const replayGuardHash = (userId: string): string => createHash("sha256").update(`totp-last-step:${userId}`).digest("hex");

const readLastTimeStep = async (db: DatabaseOrTransaction, userId: string): Promise<number | null> => {
  const [row] = await db
    .select({ metadata: oneTimeTokens.metadata })
    .from(oneTimeTokens)
    .where(eq(oneTimeTokens.tokenHash, replayGuardHash(userId)));
  const step = row?.metadata.lastTimeStep;
  return typeof step === "number" ? step : null;
};

/** Records an accepted step; false when the same or a later step was accepted meanwhile (a race or a replay). */
const claimTimeStep = async (tx: DatabaseOrTransaction, userId: string, timeStep: number): Promise<boolean> => {
  const now = new Date();
  const rows = await tx
    .insert(oneTimeTokens)
    .values({
      purpose: "totp_replay_guard",
      userId,
      tokenHash: replayGuardHash(userId),
      metadata: { lastTimeStep: timeStep },
      maxAttempts: 0,
      usedAt: now,
      expiresAt: new Date(now.getTime() + REPLAY_GUARD_TTL_MS),
    })
    .onConflictDoUpdate({
      target: oneTimeTokens.tokenHash,
      set: { metadata: sql`excluded.metadata`, expiresAt: sql`excluded.expires_at` },
      setWhere: sql`coalesce((${oneTimeTokens.metadata}->>'lastTimeStep')::bigint, -1) < ${timeStep}`,
    })
    .returning({ id: oneTimeTokens.id });
  return rows.length > 0;
};

const checkTotp = async (db: DatabaseOrTransaction, secret: string, userId: string, code: string): Promise<TotpCheck> => {
  const result = await verify({ strategy: "totp", secret, token: code, epochTolerance: CLOCK_DRIFT_TOLERANCE_SECONDS });
  // The functional API types HOTP and TOTP results together; only a TOTP match carries its time step.
  if (!result.valid || !("timeStep" in result)) return { isValid: false, isReplay: false };
  const lastTimeStep = await readLastTimeStep(db, userId);
  if (lastTimeStep !== null && result.timeStep <= lastTimeStep) return { isValid: false, isReplay: true };
  return { isValid: true, timeStep: result.timeStep };
};

const wrongCode = (check: { isReplay: boolean }, details?: unknown) =>
  check.isReplay
    ? new AppError("invalid_code", "This code was already used: wait for the next one from your authenticator app.", details)
    : new AppError(
        "invalid_code",
        "That code is not right. Use the current code from your authenticator app, and check your phone's clock.",
        details,
      );

/** Checks a code for a user in a transaction and claims its step; throws invalid_code when wrong or replayed. */
const acceptTotpCode = async (tx: DatabaseOrTransaction, secrets: SecretBox, user: UserRow, code: string): Promise<void> => {
  if (user.totpSecret === null) throw new AppError("conflict", "Two-factor authentication is not set up.");
  const check = await checkTotp(tx, secrets.decrypt(user.totpSecret), user.id, code);
  if (!check.isValid) throw wrongCode(check);
  if (!(await claimTimeStep(tx, user.id, check.timeStep))) throw wrongCode({ isReplay: true });
};

const lockUser = async (tx: DatabaseOrTransaction, userId: string): Promise<UserRow> => {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
  if (!user) throw new AppError("unauthorized", "Your session has ended; sign in again.");
  return user;
};

const userTarget = (user: UserRow) => ({ type: "user", id: user.id, label: user.email });

// ---- enrolment and management (a signed-in member) -------------------------------------------------

type Member = { userId: string; workspaceId: string };

export const getTwoFactorStatus = async (db: Database, userId: string): Promise<TTwoFactorStatus> => {
  const [user] = await db.select({ totpEnabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  if (!user || user.totpEnabledAt === null) return { enabled: false, backupCodesRemaining: 0 };
  const [row] = await db
    .select({ remaining: count() })
    .from(backupCodes)
    .where(and(eq(backupCodes.userId, userId), isNull(backupCodes.usedAt)));
  return { enabled: true, backupCodesRemaining: row?.remaining ?? 0 };
};

/** Creates a pending secret (replacing an unconfirmed one); 2FA is on only once a code confirms it. */
export const startTwoFactorEnrolment = async (
  { db, realtime, secrets }: TwoFactorServices,
  member: Member,
  actor: AuditActor,
): Promise<TTwoFactorEnrolment> => {
  const secret = generateSecret();
  const { user, entry } = await db.transaction(async (tx) => {
    const user = await lockUser(tx, member.userId);
    if (user.totpEnabledAt !== null) {
      throw new AppError(
        "conflict",
        "Two-factor authentication is already on. Turn it off first to set up a new app.",
        undefined,
        { reason: "two_factor_already_enabled" },
      );
    }
    await tx
      .update(users)
      .set({ totpSecret: secrets.encrypt(secret), updatedAt: new Date() })
      .where(eq(users.id, user.id));
    const entry = await recordAudit(tx, {
      workspaceId: member.workspaceId,
      actor,
      action: "auth.two_factor_enrolment_started",
      target: userTarget(user),
    });
    return { user, entry };
  });
  publishAudit(realtime, member.workspaceId, entry);
  const otpauthUri = generateURI({ issuer: ISSUER, label: user.email, secret });
  const qrCodeDataUrl = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: "M", margin: 2, width: 256 });
  return { otpauthUri, qrCodeDataUrl, secret };
};

export const confirmTwoFactor = async (
  { db, realtime, secrets }: TwoFactorServices,
  member: Member,
  code: string,
  actor: AuditActor,
): Promise<TConfirmTwoFactorResponse> => {
  const { codes, entry } = await db.transaction(async (tx) => {
    const user = await lockUser(tx, member.userId);
    if (user.totpEnabledAt !== null) {
      throw new AppError("conflict", "Two-factor authentication is already on.", undefined, {
        reason: "two_factor_already_enabled",
      });
    }
    if (user.totpSecret === null) {
      throw new AppError("conflict", "Start the set-up first: no authenticator app is waiting for confirmation.", undefined, {
        reason: "two_factor_setup_not_started",
      });
    }
    await acceptTotpCode(tx, secrets, user, code);
    await tx.update(users).set({ totpEnabledAt: new Date(), updatedAt: new Date() }).where(eq(users.id, user.id));
    const codes = await replaceBackupCodes(tx, user.id);
    const entry = await recordAudit(tx, {
      workspaceId: member.workspaceId,
      actor,
      action: "auth.two_factor_enabled",
      target: userTarget(user),
      before: { twoFactorEnabled: false },
      after: { twoFactorEnabled: true },
    });
    return { codes, entry };
  });
  publishAudit(realtime, member.workspaceId, entry);
  return { enabled: true, backupCodes: codes };
};

/** Turns 2FA off after proof of a current code or the password; the secret and backup codes are erased. */
export const disableTwoFactor = async (
  { db, realtime, secrets }: TwoFactorServices,
  member: Member,
  proof: TDisableTwoFactorRequest,
  actor: AuditActor,
): Promise<TTwoFactorStatus> => {
  const entry = await db.transaction(async (tx) => {
    const user = await lockUser(tx, member.userId);
    if (user.totpEnabledAt === null) {
      throw new AppError("conflict", "Two-factor authentication is not on.", undefined, { reason: "two_factor_not_enabled" });
    }
    if (proof.code !== undefined) {
      await acceptTotpCode(tx, secrets, user, proof.code);
    } else if (!(await verifyPassword(user.passwordHash, proof.password ?? ""))) {
      throw new AppError("invalid_credentials", "That password is not right.", undefined, { reason: "wrong_password" });
    }
    await tx.update(users).set({ totpSecret: null, totpEnabledAt: null, updatedAt: new Date() }).where(eq(users.id, user.id));
    await tx.delete(backupCodes).where(eq(backupCodes.userId, user.id));
    return recordAudit(tx, {
      workspaceId: member.workspaceId,
      actor,
      action: "auth.two_factor_disabled",
      target: userTarget(user),
      before: { twoFactorEnabled: true },
      after: { twoFactorEnabled: false, provedWith: proof.code !== undefined ? "code" : "password" },
    });
  });
  publishAudit(realtime, member.workspaceId, entry);
  return { enabled: false, backupCodesRemaining: 0 };
};

export const regenerateBackupCodes = async (
  { db, realtime, secrets }: TwoFactorServices,
  member: Member,
  code: string,
  actor: AuditActor,
): Promise<TBackupCodesResponse> => {
  const { codes, entry } = await db.transaction(async (tx) => {
    const user = await lockUser(tx, member.userId);
    if (user.totpEnabledAt === null) {
      throw new AppError("conflict", "Turn on two-factor authentication first.", undefined, { reason: "two_factor_not_enabled" });
    }
    await acceptTotpCode(tx, secrets, user, code);
    const codes = await replaceBackupCodes(tx, user.id);
    const entry = await recordAudit(tx, {
      workspaceId: member.workspaceId,
      actor,
      action: "auth.backup_codes_regenerated",
      target: userTarget(user),
    });
    return { codes, entry };
  });
  publishAudit(realtime, member.workspaceId, entry);
  return { backupCodes: codes };
};

// ---- the second sign-in step ----------------------------------------------------------------------

const expiredChallenge = () => new AppError("invalid_token", "This sign-in step has expired or was already used: sign in again.");
const deadChallenge = () => new AppError("too_many_attempts", "Too many wrong codes: sign in again to get a new chance.");

/** Counts a wrong code; past the limit the challenge is dead. */
const countWrongAttempt = async (db: Database, challengeId: string, check: { isReplay: boolean }): Promise<never> => {
  const [row] = await db
    .update(oneTimeTokens)
    .set({ attempts: sql`${oneTimeTokens.attempts} + 1` })
    .where(and(eq(oneTimeTokens.id, challengeId), isNull(oneTimeTokens.usedAt)))
    .returning({ attempts: oneTimeTokens.attempts, maxAttempts: oneTimeTokens.maxAttempts });
  if (!row) throw expiredChallenge();
  if (row.attempts >= row.maxAttempts) throw deadChallenge();
  throw wrongCode(check, { attemptsRemaining: row.maxAttempts - row.attempts });
};

type SecondFactorProof = { factor: "totp"; timeStep: number } | { factor: "backup_code"; backupCodeId: string };

/** Checks the TOTP or backup code without spending it; a wrong one counts against the challenge. */
const proveSecondFactor = async (
  db: Database,
  secrets: SecretBox,
  user: { id: string; totpSecret: string },
  challengeId: string,
  input: TVerifyTwoFactorRequest,
): Promise<SecondFactorProof> => {
  if (input.code !== undefined) {
    const check = await checkTotp(db, secrets.decrypt(user.totpSecret), user.id, input.code);
    if (!check.isValid) return countWrongAttempt(db, challengeId, check);
    return { factor: "totp", timeStep: check.timeStep };
  }
  const [match] = await db
    .select({ id: backupCodes.id })
    .from(backupCodes)
    .where(
      and(
        eq(backupCodes.userId, user.id),
        eq(backupCodes.codeHash, hashBackupCode(user.id, input.backupCode ?? "")),
        isNull(backupCodes.usedAt),
      ),
    );
  if (!match) return countWrongAttempt(db, challengeId, { isReplay: false });
  return { factor: "backup_code", backupCodeId: match.id };
};

/**
 * Finishes a sign-in that stopped at `two_factor_required`: checks the challenge (single use,
 * expiring, five wrong codes at most) and a TOTP or backup code, then opens the session.
 */
export const verifyTwoFactorChallenge = async (
  { db, realtime, secrets }: TwoFactorServices,
  input: TVerifyTwoFactorRequest,
  client: ClientContext,
  policy: SessionPolicy,
  actor: AuditActor,
): Promise<TSessionResponse> => {
  const now = new Date();
  const [challenge] = await db
    .select()
    .from(oneTimeTokens)
    .where(
      and(
        eq(oneTimeTokens.tokenHash, hashTwoFactorChallenge(input.challengeToken)),
        eq(oneTimeTokens.purpose, "two_factor_challenge"),
      ),
    );
  if (!challenge || challenge.usedAt !== null || challenge.expiresAt <= now || !challenge.userId || !challenge.workspaceId) {
    throw expiredChallenge();
  }
  if (challenge.attempts >= challenge.maxAttempts) throw deadChallenge();
  const { workspaceId } = challenge;
  const [user] = await db.select().from(users).where(eq(users.id, challenge.userId));
  // 2FA turned off since the password step: the challenge no longer means anything.
  if (!user || user.totpEnabledAt === null || user.totpSecret === null) throw expiredChallenge();

  const proof = await proveSecondFactor(db, secrets, { id: user.id, totpSecret: user.totpSecret }, challenge.id, input);
  const { session, entry } = await db.transaction(async (tx) => {
    // Conditional updates settle races: of two requests with the same challenge or code, one wins.
    const consumed = await tx
      .update(oneTimeTokens)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(oneTimeTokens.id, challenge.id),
          isNull(oneTimeTokens.usedAt),
          lt(oneTimeTokens.attempts, oneTimeTokens.maxAttempts),
          gt(oneTimeTokens.expiresAt, new Date()),
        ),
      )
      .returning({ id: oneTimeTokens.id });
    if (consumed.length === 0) throw expiredChallenge();
    if (proof.factor === "totp") {
      if (!(await claimTimeStep(tx, user.id, proof.timeStep))) throw wrongCode({ isReplay: true });
    } else {
      const used = await tx
        .update(backupCodes)
        .set({ usedAt: new Date() })
        .where(and(eq(backupCodes.id, proof.backupCodeId), isNull(backupCodes.usedAt)))
        .returning({ id: backupCodes.id });
      if (used.length === 0) throw new AppError("invalid_code", "This backup code was already used.");
    }
    const session = await openSession(tx, { user, workspaceId, client, policy, method: "two_factor" });
    const entry = await recordAudit(tx, {
      workspaceId,
      actor: { ...actor, id: user.id, label: user.email },
      action: "auth.signed_in",
      target: userTarget(user),
      after: { method: "two_factor", factor: proof.factor },
    });
    return { session, entry };
  });
  publishAudit(realtime, workspaceId, entry);
  return session;
};
