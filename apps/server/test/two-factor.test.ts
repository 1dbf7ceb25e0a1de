import { eq } from "drizzle-orm";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newApiKey } from "../src/modules/api-keys/api-key-auth.ts";
import { apiKeys } from "../src/modules/api-keys/api-keys.tables.ts";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { backupCodes, oneTimeTokens, sessions, users } from "../src/modules/auth/auth.tables.ts";
import { hashTwoFactorChallenge } from "../src/modules/auth/sign-in.ts";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";

const STEP_SECONDS = 30;

/**
 * The code an authenticator app shows `offsetSteps` steps from now. Waits out the last second of a
 * step so the server, a few milliseconds later, still sees the same window.
 */
const codeAt = async (secret: string, offsetSteps = 0): Promise<string> => {
  const secondsIntoStep = (Date.now() / 1000) % STEP_SECONDS;
  if (secondsIntoStep > STEP_SECONDS - 1.5) await new Promise((resolve) => setTimeout(resolve, 1_600));
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * STEP_SECONDS });
};

/** A 6-digit code that no step of the accepted window produces. */
const wrongCodeFor = async (secret: string): Promise<string> => {
  const valid = new Set(await Promise.all([-1, 0, 1].map((offset) => codeAt(secret, offset))));
  return ["000000", "111111", "222222", "333333"].find((code) => !valid.has(code)) ?? "444444";
};

type Account = Awaited<ReturnType<typeof signUp>>;

describe("two-factor authentication", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const post = (url: string, token: string | null, payload?: Record<string, unknown>, remoteAddress?: string) =>
    harness.app.inject({
      method: "POST",
      url: `/api/v1${url}`,
      ...(token ? { headers: bearer(token) } : {}),
      ...(payload === undefined ? {} : { payload }),
      ...(remoteAddress ? { remoteAddress } : {}),
    });

  const status = async (token: string) =>
    (await harness.app.inject({ url: "/api/v1/me/two-factor", headers: bearer(token) })).json();

  /** Enrols and confirms; returns the secret and the backup codes. */
  const turnOn = async (account: Account): Promise<{ secret: string; backupCodes: string[]; confirmationCode: string }> => {
    const enrolment = await post("/me/two-factor/enrol", account.token);
    const { secret } = enrolment.json();
    const confirmationCode = await codeAt(secret, -1);
    const confirmed = await post("/me/two-factor/confirm", account.token, { code: confirmationCode });
    expect(confirmed.statusCode).toBe(200);
    return { secret, backupCodes: confirmed.json().backupCodes, confirmationCode };
  };

  /** Password step of a sign-in for a member with 2FA: returns the challenge token. */
  const startLogin = async (account: Account): Promise<string> => {
    const login = await post("/auth/login", null, { email: account.user.email, password: account.password });
    expect(login.statusCode).toBe(401);
    expect(login.json().error.code).toBe("two_factor_required");
    return login.json().error.details.challengeToken;
  };

  const auditActions = async (workspaceId: string) =>
    (await harness.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, workspaceId)).orderBy(auditLog.id)).map(
      (entry) => ({ action: entry.action, before: entry.before, after: entry.after }),
    );

  it("enrols with an otpauth URI, a QR code and a secret stored encrypted, not yet active", async () => {
    const account = await signUp(harness.app);
    const enrolment = await post("/me/two-factor/enrol", account.token);
    expect(enrolment.statusCode).toBe(200);
    const { otpauthUri, qrCodeDataUrl, secret } = enrolment.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe("otpauth:");
    expect(decodeURIComponent(uri.pathname)).toContain(account.user.email);
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("Parley");
    expect(qrCodeDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);

    const [stored] = await harness.database.db.select().from(users).where(eq(users.id, account.user.id));
    expect(stored?.totpSecret).toMatch(/^v1\./);
    expect(stored?.totpSecret).not.toContain(secret);
    expect(stored?.totpEnabledAt).toBeNull();
    expect(await status(account.token)).toEqual({ enabled: false, backupCodesRemaining: 0 });
    // Not confirmed yet: signing in still takes the password alone.
    const login = await post("/auth/login", null, { email: account.user.email, password: account.password });
    expect(login.statusCode).toBe(200);
  });

  it("replaces a pending secret when enrolment starts again: only the newest app confirms", async () => {
    const account = await signUp(harness.app);
    const first = (await post("/me/two-factor/enrol", account.token)).json().secret;
    const second = (await post("/me/two-factor/enrol", account.token)).json().secret;
    expect(second).not.toBe(first);
    const withOld = await post("/me/two-factor/confirm", account.token, { code: await wrongCodeFor(second) });
    expect(withOld.statusCode).toBe(400);
    const withNew = await post("/me/two-factor/confirm", account.token, { code: await codeAt(second) });
    expect(withNew.statusCode).toBe(200);
  });

  it("confirms with a current code (one step of drift allowed), returns 10 backup codes and stores only hashes", async () => {
    const account = await signUp(harness.app);
    const { secret } = (await post("/me/two-factor/enrol", account.token)).json();

    const wrong = await post("/me/two-factor/confirm", account.token, { code: await wrongCodeFor(secret) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe("invalid_code");
    const tooOld = await post("/me/two-factor/confirm", account.token, { code: await codeAt(secret, -3) });
    expect(tooOld.json().error.code).toBe("invalid_code");
    const malformed = await post("/me/two-factor/confirm", account.token, { code: "12345" });
    expect(malformed.json().error.code).toBe("validation_failed");
    expect((await status(account.token)).enabled).toBe(false);

    const confirmed = await post("/me/two-factor/confirm", account.token, { code: await codeAt(secret, -1) });
    expect(confirmed.statusCode).toBe(200);
    const { enabled, backupCodes: codes } = confirmed.json();
    expect(enabled).toBe(true);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(await status(account.token)).toEqual({ enabled: true, backupCodesRemaining: 10 });

    const stored = await harness.database.db.select().from(backupCodes).where(eq(backupCodes.userId, account.user.id));
    expect(stored).toHaveLength(10);
    for (const row of stored) for (const code of codes) expect(row.codeHash).not.toContain(code.replace("-", ""));

    const me = await harness.app.inject({ url: "/api/v1/me", headers: bearer(account.token) });
    expect(me.json().user.twoFactorEnabled).toBe(true);
    expect(await auditActions(account.workspace.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "auth.two_factor_enrolment_started" }),
        { action: "auth.two_factor_enabled", before: { twoFactorEnabled: false }, after: { twoFactorEnabled: true } },
      ]),
    );

    const again = await post("/me/two-factor/enrol", account.token);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("conflict");
    expect((await post("/me/two-factor/confirm", account.token, { code: await codeAt(secret) })).statusCode).toBe(409);
  });

  it("refuses to confirm when no set-up was started", async () => {
    const account = await signUp(harness.app);
    const response = await post("/me/two-factor/confirm", account.token, { code: "123456" });
    expect(response.statusCode).toBe(409);
  });

  it("signs in with the second step: a session, the cookie, an audit entry; the challenge is single-use", async () => {
    const account = await signUp(harness.app);
    const { secret } = await turnOn(account);
    const challengeToken = await startLogin(account);

    const verified = await post("/auth/two-factor/verify", null, { challengeToken, code: await codeAt(secret) });
    expect(verified.statusCode).toBe(200);
    const session = verified.json();
    expect(session).toMatchObject({
      user: { id: account.user.id, twoFactorEnabled: true },
      workspace: { id: account.workspace.id },
      role: { key: "owner" },
    });
    const cookie = verified.cookies.find((candidate) => candidate.name === "parley_session");
    expect(cookie).toMatchObject({ value: session.token, httpOnly: true, sameSite: "Lax", path: "/" });
    const me = await harness.app.inject({ url: "/api/v1/me", headers: bearer(session.token) });
    expect(me.statusCode).toBe(200);
    const rows = await harness.database.db.select().from(sessions).where(eq(sessions.userId, account.user.id));
    expect(rows.map((row) => row.method)).toContain("two_factor");
    expect(await auditActions(account.workspace.id)).toContainEqual({
      action: "auth.signed_in",
      before: null,
      after: { method: "two_factor", factor: "totp" },
    });

    const reused = await post("/auth/two-factor/verify", null, { challengeToken, code: await codeAt(secret, 1) });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.code).toBe("invalid_token");
  });

  it("refuses a TOTP code that was already accepted, even with a fresh challenge", async () => {
    const account = await signUp(harness.app);
    const { secret, confirmationCode } = await turnOn(account);
    const withConfirmationCode = await post("/auth/two-factor/verify", null, {
      challengeToken: await startLogin(account),
      code: confirmationCode,
    });
    expect(withConfirmationCode.json().error).toMatchObject({
      code: "invalid_code",
      message: expect.stringContaining("already used"),
    });

    const code = await codeAt(secret);
    const first = await post("/auth/two-factor/verify", null, { challengeToken: await startLogin(account), code });
    expect(first.statusCode).toBe(200);

    const replayed = await post("/auth/two-factor/verify", null, { challengeToken: await startLogin(account), code });
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json().error).toMatchObject({ code: "invalid_code", message: expect.stringContaining("already used") });

    // The next step's code works.
    const next = await post("/auth/two-factor/verify", null, {
      challengeToken: await startLogin(account),
      code: await codeAt(secret, 1),
    });
    expect(next.statusCode).toBe(200);
  });

  it("accepts each backup code once, however it is typed", async () => {
    const account = await signUp(harness.app);
    const { backupCodes: codes } = await turnOn(account);
    const code = codes[0] ?? "";
    const typed = ` ${code.toUpperCase().replace("-", " - ")} `;
    const verified = await post("/auth/two-factor/verify", null, {
      challengeToken: await startLogin(account),
      backupCode: typed,
    });
    expect(verified.statusCode).toBe(200);
    expect(await status(account.token)).toEqual({ enabled: true, backupCodesRemaining: 9 });
    expect(await auditActions(account.workspace.id)).toContainEqual(
      expect.objectContaining({ action: "auth.signed_in", after: { method: "two_factor", factor: "backup_code" } }),
    );

    const again = await post("/auth/two-factor/verify", null, { challengeToken: await startLogin(account), backupCode: code });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe("invalid_code");
  });

  it("kills a challenge after five wrong codes, even for the right code afterwards", async () => {
    const account = await signUp(harness.app);
    const { secret } = await turnOn(account);
    const challengeToken = await startLogin(account);
    const wrong = await wrongCodeFor(secret);
    const answers = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await post("/auth/two-factor/verify", null, { challengeToken, code: wrong });
      answers.push([response.statusCode, response.json().error.code, response.json().error.details?.attemptsRemaining]);
    }
    expect(answers).toEqual([
      [400, "invalid_code", 4],
      [400, "invalid_code", 3],
      [400, "invalid_code", 2],
      [400, "invalid_code", 1],
      [429, "too_many_attempts", undefined],
    ]);
    const right = await post("/auth/two-factor/verify", null, { challengeToken, code: await codeAt(secret) });
    expect(right.statusCode).toBe(429);
    expect(right.json().error.code).toBe("too_many_attempts");
    const wrongBackup = await post("/auth/two-factor/verify", null, { challengeToken, backupCode: "aaaaa-aaaaa" });
    expect(wrongBackup.statusCode).toBe(429);
  });

  it("refuses expired, tampered and unknown challenges, and bodies with both or neither factor", async () => {
    const account = await signUp(harness.app);
    const { secret } = await turnOn(account);
    const challengeToken = await startLogin(account);
    await harness.database.db
      .update(oneTimeTokens)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(oneTimeTokens.tokenHash, hashTwoFactorChallenge(challengeToken)));
    const expired = await post("/auth/two-factor/verify", null, { challengeToken, code: await codeAt(secret) });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().error.code).toBe("invalid_token");

    const fresh = await startLogin(account);
    const tampered = `${fresh.slice(0, -2)}${fresh.endsWith("AA") ? "BB" : "AA"}`;
    for (const token of [tampered, "tfc_unknown", `totp-last-step:${account.user.id}`]) {
      const response = await post("/auth/two-factor/verify", null, { challengeToken: token, code: await codeAt(secret) });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe("invalid_token");
    }

    const both = await post("/auth/two-factor/verify", null, {
      challengeToken: fresh,
      code: "123456",
      backupCode: "abcde-fghjk",
    });
    const neither = await post("/auth/two-factor/verify", null, { challengeToken: fresh });
    const extra = await post("/auth/two-factor/verify", null, { challengeToken: fresh, code: "123456", userId: account.user.id });
    for (const response of [both, neither, extra]) {
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
    }
    // The untouched challenge still works.
    const ok = await post("/auth/two-factor/verify", null, { challengeToken: fresh, code: await codeAt(secret) });
    expect(ok.statusCode).toBe(200);
  });

  it("regenerates backup codes with a current code; the old ones stop working", async () => {
    const account = await signUp(harness.app);
    const { secret, backupCodes: oldCodes } = await turnOn(account);
    const wrong = await post("/me/two-factor/backup-codes", account.token, { code: await wrongCodeFor(secret) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe("invalid_code");

    const regenerated = await post("/me/two-factor/backup-codes", account.token, { code: await codeAt(secret) });
    expect(regenerated.statusCode).toBe(200);
    const newCodes: string[] = regenerated.json().backupCodes;
    expect(newCodes).toHaveLength(10);
    expect(newCodes.filter((code) => oldCodes.includes(code))).toEqual([]);
    expect(await auditActions(account.workspace.id)).toContainEqual(
      expect.objectContaining({ action: "auth.backup_codes_regenerated" }),
    );

    const withOld = await post("/auth/two-factor/verify", null, {
      challengeToken: await startLogin(account),
      backupCode: oldCodes[0],
    });
    expect(withOld.json().error.code).toBe("invalid_code");
    const withNew = await post("/auth/two-factor/verify", null, {
      challengeToken: await startLogin(account),
      backupCode: newCodes[0],
    });
    expect(withNew.statusCode).toBe(200);
  });

  it("disables with the password or a current code, erasing the secret and backup codes", async () => {
    const account = await signUp(harness.app);
    const { secret } = await turnOn(account);
    const wrongPassword = await post("/me/two-factor/disable", account.token, { password: "not my password" });
    expect(wrongPassword.json().error.code).toBe("invalid_credentials");
    const wrongCode = await post("/me/two-factor/disable", account.token, { code: await wrongCodeFor(secret) });
    expect(wrongCode.json().error.code).toBe("invalid_code");
    const noProof = await post("/me/two-factor/disable", account.token, {});
    expect(noProof.json().error.code).toBe("validation_failed");
    expect((await status(account.token)).enabled).toBe(true);

    const disabled = await post("/me/two-factor/disable", account.token, { password: account.password });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toEqual({ enabled: false, backupCodesRemaining: 0 });
    const [stored] = await harness.database.db.select().from(users).where(eq(users.id, account.user.id));
    expect(stored).toMatchObject({ totpSecret: null, totpEnabledAt: null });
    expect(await harness.database.db.select().from(backupCodes).where(eq(backupCodes.userId, account.user.id))).toEqual([]);
    expect(await auditActions(account.workspace.id)).toContainEqual({
      action: "auth.two_factor_disabled",
      before: { twoFactorEnabled: true },
      after: { twoFactorEnabled: false, provedWith: "password" },
    });
    const login = await post("/auth/login", null, { email: account.user.email, password: account.password });
    expect(login.statusCode).toBe(200);
    expect((await post("/me/two-factor/disable", account.token, { password: account.password })).statusCode).toBe(409);

    const other = await signUp(harness.app);
    const otherSecret = (await turnOn(other)).secret;
    const withCode = await post("/me/two-factor/disable", other.token, { code: await codeAt(otherSecret) });
    expect(withCode.statusCode).toBe(200);
  });

  it("drops a pending challenge once 2FA is turned off", async () => {
    const account = await signUp(harness.app);
    const { secret } = await turnOn(account);
    const challengeToken = await startLogin(account);
    await post("/me/two-factor/disable", account.token, { password: account.password });
    const response = await post("/auth/two-factor/verify", null, { challengeToken, code: await codeAt(secret, 1) });
    expect(response.json().error.code).toBe("invalid_token");
  });

  it("is for people: API keys and anonymous callers cannot manage 2FA", async () => {
    const account = await signUp(harness.app);
    const key = newApiKey();
    await harness.database.db.insert(apiKeys).values({
      workspaceId: account.workspace.id,
      name: "integration",
      prefix: key.prefix,
      keyHash: key.keyHash,
      permissions: ["settings.manage", "security.manage"],
    });
    const withKey = await post("/me/two-factor/enrol", key.key);
    expect(withKey.statusCode).toBe(403);
    expect(withKey.json().error.code).toBe("forbidden");
    const anonymous = await post("/me/two-factor/enrol", null);
    expect(anonymous.statusCode).toBe(401);
    const [stored] = await harness.database.db
      .select({ totpSecret: users.totpSecret })
      .from(users)
      .where(eq(users.id, account.user.id));
    expect(stored?.totpSecret).toBeNull();
  });
});

describe("two-factor sign-in rate limit", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp({ authRateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it("answers 429 once an IP sends too many second-step attempts", async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await harness.app.inject({
        method: "POST",
        url: "/api/v1/auth/two-factor/verify",
        remoteAddress: "198.51.100.7",
        payload: { challengeToken: "tfc_guess", code: "123456" },
      });
      statuses.push([response.statusCode, response.json().error.code]);
    }
    expect(statuses).toEqual([
      [400, "invalid_token"],
      [400, "invalid_token"],
      [400, "invalid_token"],
      [429, "rate_limited"],
    ]);
  });
});
