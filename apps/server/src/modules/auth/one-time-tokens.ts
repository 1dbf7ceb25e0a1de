import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { newId } from "../../platform/ids.ts";
import { type OneTimeTokenPurpose, oneTimeTokens } from "./auth.tables.ts";

type LinkPurpose = Extract<OneTimeTokenPurpose, "email_verification" | "password_reset">;
type TokenRow = typeof oneTimeTokens.$inferSelect;

const LINK_TOKEN_PREFIX: Record<LinkPurpose, string> = { email_verification: "pev_", password_reset: "ppr_" };

/** Only this digest is stored: a database leak yields no usable links or codes. */
export const hashOneTimeToken = (token: string): string => createHash("sha256").update(token).digest("hex");

const isLive = () => and(isNull(oneTimeTokens.usedAt), gt(oneTimeTokens.expiresAt, sql`now()`));

/** A new link or code replaces the ones sent before, so only the latest mail works. */
const supersede = async (
  db: DatabaseOrTransaction,
  purpose: OneTimeTokenPurpose,
  owner: { userId: string } | { email: string },
) => {
  await db
    .update(oneTimeTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(oneTimeTokens.purpose, purpose),
        "userId" in owner ? eq(oneTimeTokens.userId, owner.userId) : eq(oneTimeTokens.email, owner.email),
        isNull(oneTimeTokens.usedAt),
      ),
    );
};

/** Issues a single-use token for an emailed link and returns it in clear (it goes into the mail only). */
export const issueLinkToken = async (
  db: DatabaseOrTransaction,
  input: { purpose: LinkPurpose; userId: string; email: string; workspaceId: string | null; ttlMs: number },
): Promise<string> => {
  await supersede(db, input.purpose, { userId: input.userId });
  const token = `${LINK_TOKEN_PREFIX[input.purpose]}${randomBytes(32).toString("base64url")}`;
  await db.insert(oneTimeTokens).values({
    purpose: input.purpose,
    userId: input.userId,
    workspaceId: input.workspaceId,
    email: input.email,
    tokenHash: hashOneTimeToken(token),
    expiresAt: new Date(Date.now() + input.ttlMs),
  });
  return token;
};

/** The token's row while it is unused and unexpired, without using it up. */
export const findLiveLinkToken = async (
  db: DatabaseOrTransaction,
  purpose: LinkPurpose,
  token: string,
): Promise<TokenRow | null> => {
  const [row] = await db
    .select()
    .from(oneTimeTokens)
    .where(and(eq(oneTimeTokens.tokenHash, hashOneTimeToken(token)), eq(oneTimeTokens.purpose, purpose), isLive()));
  return row ?? null;
};

/** Uses the token up in one statement, so two requests racing with the same link cannot both succeed. */
export const consumeLinkToken = async (
  db: DatabaseOrTransaction,
  purpose: LinkPurpose,
  token: string,
): Promise<TokenRow | null> => {
  const [row] = await db
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(oneTimeTokens.tokenHash, hashOneTimeToken(token)), eq(oneTimeTokens.purpose, purpose), isLive()))
    .returning();
  return row ?? null;
};

export const invalidateLinkTokens = (db: DatabaseOrTransaction, purpose: LinkPurpose, userId: string) =>
  supersede(db, purpose, { userId });

// Bound to the row id, so equal codes of two rows never share a digest.
const hashLoginCode = (tokenId: string, code: string) => hashOneTimeToken(`${tokenId}:${code}`);

/**
 * Issues a 6-digit sign-in code for an email. With `userId` null the row is a decoy whose code is
 * never sent: an unknown email then behaves exactly like a known one (attempts, exhaustion).
 */
export const issueLoginCode = async (
  db: DatabaseOrTransaction,
  input: { email: string; userId: string | null; workspaceId: string | null; ttlMs: number; maxAttempts: number },
): Promise<string> => {
  await supersede(db, "login_code", { email: input.email });
  const id = newId();
  const code = randomInt(0, 1_000_000).toString().padStart(6, "0");
  await db.insert(oneTimeTokens).values({
    id,
    purpose: "login_code",
    userId: input.userId,
    workspaceId: input.workspaceId,
    email: input.email,
    // The code is what the person types; the token column only needs to be unique.
    tokenHash: hashOneTimeToken(randomBytes(32).toString("base64url")),
    codeHash: hashLoginCode(id, code),
    maxAttempts: input.maxAttempts,
    expiresAt: new Date(Date.now() + input.ttlMs),
  });
  return code;
};

export type LoginCodeCheck = { outcome: "accepted"; userId: string } | { outcome: "wrong" } | { outcome: "exhausted" };

const digestsMatch = (left: string, right: string) =>
  left.length === right.length && timingSafeEqual(Buffer.from(left), Buffer.from(right));

/** Checks a code against the latest live one for the email; each try counts, the right one uses it up. */
export const checkLoginCode = async (db: Database, email: string, code: string): Promise<LoginCodeCheck> => {
  const [latest] = await db
    .select()
    .from(oneTimeTokens)
    .where(and(eq(oneTimeTokens.purpose, "login_code"), eq(oneTimeTokens.email, email), isLive()))
    .orderBy(desc(oneTimeTokens.createdAt))
    .limit(1);
  if (!latest) return { outcome: "wrong" };

  // Counted before comparing, in one statement: parallel guesses cannot exceed the limit.
  const [counted] = await db
    .update(oneTimeTokens)
    .set({ attempts: sql`${oneTimeTokens.attempts} + 1` })
    .where(and(eq(oneTimeTokens.id, latest.id), lt(oneTimeTokens.attempts, oneTimeTokens.maxAttempts), isLive()))
    .returning({ id: oneTimeTokens.id });
  if (!counted) return { outcome: "exhausted" };
  if (latest.codeHash === null || !digestsMatch(latest.codeHash, hashLoginCode(latest.id, code))) return { outcome: "wrong" };

  const [consumed] = await db
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(oneTimeTokens.id, latest.id), isLive()))
    .returning({ userId: oneTimeTokens.userId });
  if (!consumed?.userId) return { outcome: "wrong" };
  return { outcome: "accepted", userId: consumed.userId };
};

/** Deletes tokens a day after they expired or were used; run daily by the worker. */
export const pruneOneTimeTokens = async (db: Database): Promise<number> => {
  const deleted = await db
    .delete(oneTimeTokens)
    .where(
      or(lt(oneTimeTokens.expiresAt, sql`now() - interval '1 day'`), lt(oneTimeTokens.usedAt, sql`now() - interval '1 day'`)),
    )
    .returning({ id: oneTimeTokens.id });
  return deleted.length;
};
