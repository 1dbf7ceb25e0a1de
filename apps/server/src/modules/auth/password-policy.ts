import { PASSWORD_MIN_LENGTH } from "@parley/shared";
import { dictionary } from "@zxcvbn-ts/language-common";
import { and, desc, eq, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { memberships, workspaces } from "../workspaces/workspaces.tables.ts";
import { passwordHistory, users } from "./auth.tables.ts";
import { verifyPassword } from "./password.ts";

export type PasswordPolicy = { minLength: number; historyCount: number };

/** For people in no workspace yet (signup): the product's own floor, no history. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: PASSWORD_MIN_LENGTH, historyCount: 0 };

// ~49,000 leaked passwords that ship inside the package, so the check works offline. Built on first use.
let commonPasswords: ReadonlySet<string> | undefined;

export const isCommonPassword = (password: string): boolean => {
  commonPasswords ??= new Set(dictionary["passwords-common"].map((entry) => entry.toLowerCase()));
  return commonPasswords.has(password.toLowerCase());
};

/** One password serves every workspace of the user, so the strictest of their active workspaces applies. */
export const passwordPolicyFor = async (db: DatabaseOrTransaction, userId: string): Promise<PasswordPolicy> => {
  const [row] = await db
    .select({
      minLength: sql<number | null>`max(${workspaces.passwordMinLength})`.mapWith(Number),
      historyCount: sql<number | null>`max(${workspaces.passwordHistoryCount})`.mapWith(Number),
    })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, "active")));
  return {
    minLength: row?.minLength || DEFAULT_PASSWORD_POLICY.minLength,
    historyCount: row?.historyCount || 0,
  };
};

const weaknessOf = (password: string, policy: PasswordPolicy, person: { email: string; name: string }): string | null => {
  if (password.length < policy.minLength) return `Use at least ${policy.minLength} characters.`;
  if (isCommonPassword(password)) return "This is one of the most common passwords; choose one that is harder to guess.";
  const lowered = password.trim().toLowerCase();
  const email = person.email.toLowerCase();
  const personal = [email, email.slice(0, email.lastIndexOf("@")), person.name.trim().toLowerCase()];
  if (personal.includes(lowered)) return "Do not use your email address or your name as your password.";
  return null;
};

/**
 * Refuses a new password that breaks the policy: too short, common, the person's email or name, or
 * (for an existing user) one of their last N. `field` is the request path the error points at.
 */
export const assertPasswordAllowed = async (
  db: DatabaseOrTransaction,
  input: { password: string; email: string; name: string; userId: string | null; field: string },
): Promise<void> => {
  const policy = input.userId ? await passwordPolicyFor(db, input.userId) : DEFAULT_PASSWORD_POLICY;
  const weakness = weaknessOf(input.password, policy, input);
  if (weakness) throw new AppError("validation_failed", weakness, [{ path: input.field, message: weakness }]);
  if (!input.userId || policy.historyCount === 0) return;

  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  const recent = await db
    .select({ passwordHash: passwordHistory.passwordHash })
    .from(passwordHistory)
    .where(eq(passwordHistory.userId, input.userId))
    .orderBy(desc(passwordHistory.createdAt))
    .limit(policy.historyCount);
  // The current password counts too, also for accounts whose history started before this policy.
  const hashes = [...new Set([user?.passwordHash, ...recent.map((row) => row.passwordHash)])];
  for (const passwordHash of hashes) {
    if (passwordHash && (await verifyPassword(passwordHash, input.password))) {
      const message = `Choose a password you have not used recently: your workspace forbids reusing your last ${policy.historyCount}.`;
      throw new AppError("password_reused", message, [{ path: input.field, message }]);
    }
  }
};

/** Sets the password and remembers its hash for the no-reuse rule. Call inside the change's transaction. */
export const storeNewPassword = async (db: DatabaseOrTransaction, userId: string, passwordHash: string): Promise<void> => {
  const now = new Date();
  await db.update(users).set({ passwordHash, passwordChangedAt: now, updatedAt: now }).where(eq(users.id, userId));
  await recordPasswordHistory(db, userId, passwordHash);
};

export const recordPasswordHistory = async (db: DatabaseOrTransaction, userId: string, passwordHash: string): Promise<void> => {
  await db.insert(passwordHistory).values({ userId, passwordHash });
};
