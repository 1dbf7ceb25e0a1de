import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Worker } from "../src/platform/queue/worker.ts";
import { bearer, joinWorkspace, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";
import { type CaughtMail, codeIn, linkIn, type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

const tokenOf = (link: string) => new URL(link).searchParams.get("token") ?? "";

describe("email verification and sign-in by emailed code, through real SMTP", () => {
  let catcher: MailCatcher;
  let harness: TestApp;
  let worker: Worker;
  beforeAll(async () => {
    catcher = await startMailCatcher();
    harness = await startTestApp({ env: { SMTP_URL: catcher.url } });
    worker = await startTestWorker(harness);
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
    await catcher.close();
  });

  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    harness.app.inject({ method: "POST", url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
  const me = (token: string) => harness.app.inject({ url: "/api/v1/me", headers: bearer(token) });
  const mailTo = (email: string, subject: RegExp, except: CaughtMail[] = []) =>
    catcher.waitFor((mail) => mail.to.includes(email) && subject.test(mail.subject) && !except.includes(mail));
  const VERIFICATION = /confirm your email/i;
  const auditActions = async (userId: string) =>
    (
      await harness.database.pool.query("select action from audit_log where actor_id = $1 or target_id = $1::text order by id", [
        userId,
      ])
    ).rows.map((row) => row.action);

  describe("email verification", () => {
    it("mails a link at signup that confirms the address once", async () => {
      const owner = await signUp(harness.app);
      expect(owner.user.emailVerified).toBe(false);
      const mail = await mailTo(owner.user.email, VERIFICATION);
      const link = linkIn(mail, "/verify-email");
      expect(link.startsWith("http://parley.test/verify-email?token=")).toBe(true);

      const verified = await post("/auth/verify-email", { token: tokenOf(link) });
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).toEqual({ ok: true });
      expect((await me(owner.token)).json().user.emailVerified).toBe(true);
      expect(await auditActions(owner.user.id)).toContain("auth.email_verified");

      const replay = await post("/auth/verify-email", { token: tokenOf(link) });
      expect(replay.statusCode).toBe(400);
      expect(replay.json().error.code).toBe("invalid_token");
    });

    it("refuses an expired, a tampered and an unknown token, and leaves the address unconfirmed", async () => {
      const owner = await signUp(harness.app);
      const token = tokenOf(linkIn(await mailTo(owner.user.email, VERIFICATION), "/verify-email"));
      const tampered = await post("/auth/verify-email", { token: `${token.slice(0, -2)}xx` });
      expect(tampered.json().error.code).toBe("invalid_token");
      const unknown = await post("/auth/verify-email", { token: "pev_made-up" });
      expect(unknown.json().error.code).toBe("invalid_token");

      await harness.database.pool.query(
        "update one_time_tokens set expires_at = now() - interval '1 minute' where user_id = $1 and purpose = 'email_verification'",
        [owner.user.id],
      );
      const expired = await post("/auth/verify-email", { token });
      expect(expired.statusCode).toBe(400);
      expect(expired.json().error.code).toBe("invalid_token");
      expect((await me(owner.token)).json().user.emailVerified).toBe(false);

      const empty = await post("/auth/verify-email", { token: "" });
      expect(empty.json().error).toMatchObject({ code: "validation_failed", details: [{ path: "body.token" }] });
    });

    it("re-sends a fresh link that replaces the old one, then refuses once confirmed", async () => {
      const owner = await signUp(harness.app);
      const first = await mailTo(owner.user.email, VERIFICATION);
      const resent = await post("/auth/verify-email/resend", undefined, bearer(owner.token));
      expect(resent.statusCode).toBe(202);
      const second = await mailTo(owner.user.email, VERIFICATION, [first]);

      const old = await post("/auth/verify-email", { token: tokenOf(linkIn(first, "/verify-email")) });
      expect(old.json().error.code).toBe("invalid_token");
      expect((await post("/auth/verify-email", { token: tokenOf(linkIn(second, "/verify-email")) })).statusCode).toBe(200);

      const again = await post("/auth/verify-email/resend", undefined, bearer(owner.token));
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe("conflict");
      expect(await auditActions(owner.user.id)).toEqual(
        expect.arrayContaining(["auth.email_verification_sent", "auth.email_verified"]),
      );
    });

    it("limits re-sending per member and needs a session", async () => {
      const owner = await signUp(harness.app);
      const statuses = [];
      for (let index = 0; index < 4; index++) {
        statuses.push((await post("/auth/verify-email/resend", undefined, bearer(owner.token))).statusCode);
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
      expect((await post("/auth/verify-email/resend")).statusCode).toBe(401);
    });
  });

  describe("sign-in with an emailed code", () => {
    const requestCode = async (email: string, except: CaughtMail[] = []) => {
      const response = await post("/auth/login-code/request", { email });
      expect(response.statusCode).toBe(202);
      return mailTo(email, /sign-in code/i, except);
    };
    const otherCode = (code: string, offset: number) => String((Number(code) + offset) % 1_000_000).padStart(6, "0");

    it("signs in with the code from the mail, once, in the member's first workspace", async () => {
      const owner = await signUp(harness.app);
      const mail = await requestCode(owner.user.email);
      const code = codeIn(mail);
      const stored = await harness.database.pool.query(
        "select workspace_id from mail_messages where to_address = $1 and subject = $2",
        [owner.user.email, mail.subject],
      );
      expect(stored.rows[0].workspace_id).toBe(owner.workspace.id);
      // The code itself is never stored, only a digest.
      const rows = await harness.database.pool.query("select code_hash from one_time_tokens where email = $1", [
        owner.user.email,
      ]);
      expect(JSON.stringify(rows.rows)).not.toContain(code);

      const wrong = await post("/auth/login-code/verify", { email: owner.user.email, code: otherCode(code, 1) });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.code).toBe("invalid_code");

      const signedIn = await post("/auth/login-code/verify", { email: owner.user.email.toUpperCase(), code });
      expect(signedIn.statusCode).toBe(200);
      const session = signedIn.json();
      expect(session).toMatchObject({ user: { id: owner.user.id, emailVerified: true }, workspace: { id: owner.workspace.id } });
      expect(signedIn.cookies.find((cookie) => cookie.name === "parley_session")?.value).toBe(session.token);
      expect((await me(session.token)).statusCode).toBe(200);
      const method = await harness.database.pool.query(
        "select method from sessions where user_id = $1 order by created_at desc",
        [owner.user.id],
      );
      expect(method.rows[0].method).toBe("login_code");
      expect(await auditActions(owner.user.id)).toEqual(expect.arrayContaining(["auth.login_code_sent", "auth.signed_in"]));

      const replay = await post("/auth/login-code/verify", { email: owner.user.email, code });
      expect(replay.statusCode).toBe(400);
      expect(replay.json().error.code).toBe("invalid_code");
    });

    it("kills the code after five wrong tries, even for the right code", async () => {
      const owner = await signUp(harness.app);
      const code = codeIn(await requestCode(owner.user.email));
      for (let attempt = 1; attempt <= 5; attempt++) {
        const wrong = await post("/auth/login-code/verify", { email: owner.user.email, code: otherCode(code, attempt) });
        expect(wrong.json().error.code).toBe("invalid_code");
      }
      const dead = await post("/auth/login-code/verify", { email: owner.user.email, code });
      expect(dead.statusCode).toBe(429);
      expect(dead.json().error.code).toBe("too_many_attempts");
    });

    it("refuses an expired code and a code replaced by a newer one", async () => {
      const owner = await signUp(harness.app);
      const firstMail = await requestCode(owner.user.email);
      await harness.database.pool.query(
        "update one_time_tokens set expires_at = now() - interval '1 second' where user_id = $1 and purpose = 'login_code'",
        [owner.user.id],
      );
      const expired = await post("/auth/login-code/verify", { email: owner.user.email, code: codeIn(firstMail) });
      expect(expired.json().error.code).toBe("invalid_code");

      const second = await requestCode(owner.user.email, [firstMail]);
      const third = await requestCode(owner.user.email, [firstMail, second]);
      if (codeIn(second) !== codeIn(third)) {
        const superseded = await post("/auth/login-code/verify", { email: owner.user.email, code: codeIn(second) });
        expect(superseded.json().error.code).toBe("invalid_code");
      }
      expect((await post("/auth/login-code/verify", { email: owner.user.email, code: codeIn(third) })).statusCode).toBe(200);
    });

    it("asks for the second factor when the member has one", async () => {
      const owner = await signUp(harness.app);
      await harness.database.pool.query("update users set totp_enabled_at = now() where id = $1", [owner.user.id]);
      const code = codeIn(await requestCode(owner.user.email));
      const response = await post("/auth/login-code/verify", { email: owner.user.email, code });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({
        code: "two_factor_required",
        details: { challengeToken: expect.any(String) },
      });
      expect(response.cookies.find((cookie) => cookie.name === "parley_session")).toBeUndefined();
    });

    it("mails the code with the first workspace of a member of several", async () => {
      const owner = await signUp(harness.app);
      const other = await signUp(harness.app);
      await joinWorkspace(harness, { userId: owner.user.id, workspaceId: other.workspace.id, roleKey: "agent" });
      const mail = await requestCode(owner.user.email);
      const stored = await harness.database.pool.query(
        "select workspace_id from mail_messages where to_address = $1 and subject = $2",
        [owner.user.email, mail.subject],
      );
      expect(stored.rows[0].workspace_id).toBe(owner.workspace.id);
    });

    it("validates the request bodies", async () => {
      const badCode = await post("/auth/login-code/verify", { email: "someone@example.com", code: "12ab56" });
      expect(badCode.json().error).toMatchObject({ code: "validation_failed", details: [{ path: "body.code" }] });
      const extra = await post("/auth/login-code/request", { email: "someone@example.com", admin: true });
      expect(extra.statusCode).toBe(400);
      const badEmail = await post("/auth/login-code/request", { email: "not-an-email" });
      expect(badEmail.json().error.details).toEqual([expect.objectContaining({ path: "body.email" })]);
    });
  });
});
