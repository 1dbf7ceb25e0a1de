import { createHash } from "node:crypto";
import { and, eq, gt, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { samlAssertionsSeen, ssoLoginStates } from "./sso.tables.ts";

/** How long a browser may spend at the identity provider between start and callback. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

export type LoginStateRow = typeof ssoLoginStates.$inferSelect;

export const hashState = (value: string): string => createHash("sha256").update(value).digest("hex");

export const saveLoginState = async (
  db: DatabaseOrTransaction,
  input: {
    connectionId: string;
    /** The secret the callback must present (OIDC state, SAML request id); stored hashed. */
    state: string;
    nonce?: string;
    codeVerifier?: string;
    requestId?: string;
    redirectTo: string;
  },
): Promise<void> => {
  // Abandoned sign-ins pile up otherwise; clearing old ones here needs no scheduled job.
  await db.delete(ssoLoginStates).where(lt(ssoLoginStates.expiresAt, sql`now() - interval '1 day'`));
  await db.insert(ssoLoginStates).values({
    connectionId: input.connectionId,
    stateHash: hashState(input.state),
    nonce: input.nonce ?? null,
    codeVerifier: input.codeVerifier ?? null,
    requestId: input.requestId ?? null,
    redirectTo: input.redirectTo,
    expiresAt: new Date(Date.now() + LOGIN_STATE_TTL_MS),
  });
};

/** A pending, unexpired state, without using it up. */
export const findPendingLoginState = async (
  db: DatabaseOrTransaction,
  state: string,
  connectionId?: string,
): Promise<LoginStateRow | null> => {
  const [row] = await db
    .select()
    .from(ssoLoginStates)
    .where(
      and(
        eq(ssoLoginStates.stateHash, hashState(state)),
        isNull(ssoLoginStates.usedAt),
        gt(ssoLoginStates.expiresAt, new Date()),
        ...(connectionId === undefined ? [] : [eq(ssoLoginStates.connectionId, connectionId)]),
      ),
    );
  return row ?? null;
};

/** True when the state existed and was already used: a second answer to one request. */
export const isLoginStateUsed = async (db: DatabaseOrTransaction, state: string, connectionId: string): Promise<boolean> => {
  const [row] = await db
    .select({ id: ssoLoginStates.id })
    .from(ssoLoginStates)
    .where(
      and(
        eq(ssoLoginStates.stateHash, hashState(state)),
        eq(ssoLoginStates.connectionId, connectionId),
        isNotNull(ssoLoginStates.usedAt),
      ),
    );
  return row !== undefined;
};

/** Uses a state up; of two concurrent callbacks with one state, only one gets the row back. */
export const consumeLoginState = async (
  db: DatabaseOrTransaction,
  state: string,
  connectionId?: string,
): Promise<LoginStateRow | null> => {
  const [row] = await db
    .update(ssoLoginStates)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(ssoLoginStates.stateHash, hashState(state)),
        isNull(ssoLoginStates.usedAt),
        gt(ssoLoginStates.expiresAt, new Date()),
        ...(connectionId === undefined ? [] : [eq(ssoLoginStates.connectionId, connectionId)]),
      ),
    )
    .returning();
  return row ?? null;
};

/**
 * Records an accepted SAML assertion id until it expires; false when it was already accepted
 * (a replay), which the primary key decides even for two posts at the same instant.
 */
export const recordAssertionOnce = async (
  db: DatabaseOrTransaction,
  input: { connectionId: string; assertionId: string; expiresAt: Date },
): Promise<boolean> => {
  await db.delete(samlAssertionsSeen).where(lt(samlAssertionsSeen.expiresAt, new Date()));
  const inserted = await db
    .insert(samlAssertionsSeen)
    .values(input)
    .onConflictDoNothing()
    .returning({ assertionId: samlAssertionsSeen.assertionId });
  return inserted.length === 1;
};
