import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Worker } from "../src/platform/queue/worker.ts";
import {
  bearer,
  connectAgent,
  joinWorkspace,
  nextEvent,
  signUp,
  startTestApp,
  startTestWorker,
  type TestApp,
} from "./helpers.ts";
import { type CaughtMail, linkIn, type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

const tokenOf = (link: string) => new URL(link).searchParams.get("token") ?? "";

describe("password reset, password change, password policy and profile", () => {
  let catcher: MailCatcher;
  let harness: TestApp;
  let worker: Worker;
  let baseUrl: string;
  beforeAll(async () => {
    catcher = await startMailCatcher();
    harness = await startTestApp({ env: { SMTP_URL: catcher.url } });
    worker = await startTestWorker(harness);
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
    await catcher.close();
  });

  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    harness.app.inject({ method: "POST", url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
  const status = async (token: string) => (await harness.app.inject({ url: "/api/v1/me", headers: bearer(token) })).statusCode;
  const logIn = (email: string, password: string, userAgent = "vitest") =>
    harness.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "user-agent": userAgent },
      payload: { email, password },
    });
  const resetMail = (email: string, except: CaughtMail[] = []) =>
    catcher.waitFor(
      (mail) => mail.to.includes(email) && /reset your parley password/i.test(mail.subject) && !except.includes(mail),
    );
  const requestReset = async (email: string, except: CaughtMail[] = []) => {
    const response = await post("/auth/password-reset/request", { email });
    expect(response.statusCode).toBe(202);
    return resetMail(email, except);
  };
  const auditOf = async (userId: string, action: string) =>
    (
      await harness.database.pool.query("select workspace_id, after from audit_log where target_id = $1 and action = $2", [
        userId,
        action,
      ])
    ).rows;

  describe("reset by emailed link", () => {
    it("sets the new password, confirms the email, signs out every session and closes their sockets", async () => {
      const owner = await signUp(harness.app);
      const second = (await logIn(owner.user.email, owner.password)).json().token;
      const socket = await connectAgent(baseUrl, { token: second });
      const disconnected = nextEvent<string>(socket, "disconnect");
      try {
        const mail = await requestReset(owner.user.email);
        const link = linkIn(mail, "/reset-password");
        expect(link.startsWith("http://parley.test/reset-password?token=")).toBe(true);

        // A refused password does not use the link up.
        const weak = await post("/auth/password-reset", { token: tokenOf(link), password: "password123" });
        expect(weak.statusCode).toBe(400);
        expect(weak.json().error).toMatchObject({ code: "validation_failed", details: [{ path: "body.password" }] });
        expect(await status(second)).toBe(200);

        const reset = await post("/auth/password-reset", { token: tokenOf(link), password: "a brand new passphrase" });
        expect(reset.statusCode).toBe(200);
        expect(reset.json()).toEqual({ ok: true });
        expect(await disconnected).toBe("io server disconnect");
        expect(await status(owner.token)).toBe(401);
        expect(await status(second)).toBe(401);
        const reasons = await harness.database.pool.query("select distinct revoked_reason from sessions where user_id = $1", [
          owner.user.id,
        ]);
        expect(reasons.rows).toEqual([{ revoked_reason: "password_reset" }]);

        expect((await logIn(owner.user.email, owner.password)).statusCode).toBe(401);
        const fresh = await logIn(owner.user.email, "a brand new passphrase");
        expect(fresh.statusCode).toBe(200);
        expect(fresh.json().user.emailVerified).toBe(true);
        expect(await auditOf(owner.user.id, "auth.password_reset")).toEqual([
          { workspace_id: owner.workspace.id, after: { sessionsEnded: 2 } },
        ]);

        const replay = await post("/auth/password-reset", { token: tokenOf(link), password: "yet another passphrase" });
        expect(replay.statusCode).toBe(400);
        expect(replay.json().error.code).toBe("invalid_token");
      } finally {
        socket.close();
      }
    });

    it("refuses an expired link, a superseded link and a made-up one", async () => {
      const owner = await signUp(harness.app);
      const first = await requestReset(owner.user.email);
      const second = await requestReset(owner.user.email, [first]);
      const superseded = await post("/auth/password-reset", {
        token: tokenOf(linkIn(first, "/reset-password")),
        password: "a brand new passphrase",
      });
      expect(superseded.json().error.code).toBe("invalid_token");

      await harness.database.pool.query(
        "update one_time_tokens set expires_at = now() - interval '1 second' where user_id = $1 and purpose = 'password_reset'",
        [owner.user.id],
      );
      const expired = await post("/auth/password-reset", {
        token: tokenOf(linkIn(second, "/reset-password")),
        password: "a brand new passphrase",
      });
      expect(expired.statusCode).toBe(400);
      expect(expired.json().error.code).toBe("invalid_token");
      const madeUp = await post("/auth/password-reset", { token: "ppr_made-up", password: "a brand new passphrase" });
      expect(madeUp.json().error.code).toBe("invalid_token");
      expect(await status(owner.token)).toBe(200);
      expect((await logIn(owner.user.email, owner.password)).statusCode).toBe(200);
    });
  });

  describe("change password", () => {
    it("checks the current password, keeps this session and signs out the others", async () => {
      const owner = await signUp(harness.app);
      const other = (await logIn(owner.user.email, owner.password)).json().token;
      const socket = await connectAgent(baseUrl, { token: other });
      const disconnected = nextEvent<string>(socket, "disconnect");
      try {
        const wrong = await post(
          "/me/password",
          { currentPassword: "not my password", newPassword: "a brand new passphrase" },
          bearer(owner.token),
        );
        expect(wrong.statusCode).toBe(400);
        expect(wrong.json().error).toMatchObject({ code: "validation_failed", details: [{ path: "body.currentPassword" }] });

        const changed = await post(
          "/me/password",
          { currentPassword: owner.password, newPassword: "a brand new passphrase" },
          bearer(owner.token),
        );
        expect(changed.statusCode).toBe(200);
        expect(changed.json()).toEqual({ ok: true, otherSessionsEnded: 1 });
        expect(await disconnected).toBe("io server disconnect");
        expect(await status(owner.token)).toBe(200);
        expect(await status(other)).toBe(401);
        expect((await logIn(owner.user.email, "a brand new passphrase")).statusCode).toBe(200);
        expect(await auditOf(owner.user.id, "auth.password_changed")).toEqual([
          { workspace_id: owner.workspace.id, after: { otherSessionsEnded: 1 } },
        ]);
      } finally {
        socket.close();
      }
    });

    it("refuses common passwords, the email or name, and passwords under the strictest workspace minimum", async () => {
      const owner = await signUp(harness.app, { name: "Grace Hopper Smith" });
      const change = (newPassword: string) =>
        post("/me/password", { currentPassword: owner.password, newPassword }, bearer(owner.token));
      for (const refused of ["qwertyuiop", "PASSWORD123", owner.user.email, "Grace Hopper Smith"]) {
        const response = await change(refused);
        expect(response.statusCode, refused).toBe(400);
        expect(response.json().error).toMatchObject({ code: "validation_failed", details: [{ path: "body.newPassword" }] });
      }
      // Another workspace of the member asks for 16 characters: the strictest rule wins.
      const other = await signUp(harness.app);
      await joinWorkspace(harness, { userId: owner.user.id, workspaceId: other.workspace.id, roleKey: "agent" });
      await harness.database.pool.query("update workspaces set password_min_length = 16 where id = $1", [other.workspace.id]);
      const short = await change("fifteen chars!!");
      expect(short.json().error.details).toEqual([{ path: "body.newPassword", message: "Use at least 16 characters." }]);
      expect((await change("sixteen chars!!!")).statusCode).toBe(200);
    });

    it("forbids reusing the last N passwords when the workspace says so", async () => {
      const owner = await signUp(harness.app);
      const change = async (currentPassword: string, newPassword: string) =>
        post("/me/password", { currentPassword, newPassword }, bearer(owner.token));
      // Without a history rule, going back is allowed.
      expect((await change(owner.password, "second passphrase")).statusCode).toBe(200);
      expect((await change("second passphrase", owner.password)).statusCode).toBe(200);

      await harness.database.pool.query("update workspaces set password_history_count = 3 where id = $1", [owner.workspace.id]);
      expect((await change(owner.password, "third passphrase")).statusCode).toBe(200);
      for (const reused of ["third passphrase", owner.password, "second passphrase"]) {
        const response = await change("third passphrase", reused);
        expect(response.statusCode, reused).toBe(400);
        expect(response.json().error).toMatchObject({ code: "password_reused", details: [{ path: "body.newPassword" }] });
      }
      expect((await change("third passphrase", "fourth passphrase")).statusCode).toBe(200);
      // The rule applies to resets too.
      const mail = await requestReset(owner.user.email);
      const reused = await post("/auth/password-reset", {
        token: tokenOf(linkIn(mail, "/reset-password")),
        password: "third passphrase",
      });
      expect(reused.json().error).toMatchObject({ code: "password_reused", details: [{ path: "body.password" }] });
    });

    it("lets a member with an expired password change it, and nothing else until then", async () => {
      const owner = await signUp(harness.app);
      await harness.database.pool.query("update workspaces set password_expiry_days = 30 where id = $1", [owner.workspace.id]);
      await harness.database.pool.query("update users set password_changed_at = now() - interval '31 days' where id = $1", [
        owner.user.id,
      ]);
      const session = (await logIn(owner.user.email, owner.password)).json().token;
      const blocked = await harness.app.inject({ url: "/api/v1/me/sessions", headers: bearer(session) });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().error.code).toBe("password_change_required");

      const changed = await post(
        "/me/password",
        { currentPassword: owner.password, newPassword: "a brand new passphrase" },
        bearer(session),
      );
      expect(changed.statusCode).toBe(200);
      const me = await harness.app.inject({ url: "/api/v1/me", headers: bearer(session) });
      expect(me.json().restriction).toBeNull();
      expect((await harness.app.inject({ url: "/api/v1/me/sessions", headers: bearer(session) })).statusCode).toBe(200);
    });
  });

  describe("signup and profile", () => {
    it("refuses a common password at signup", async () => {
      const response = await post("/auth/signup", {
        name: "Common",
        email: "common-password@example.com",
        password: "1234567890",
        workspaceName: "Common Co",
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: "validation_failed", details: [{ path: "body.password" }] });
    });

    it("renames the member and audits the change", async () => {
      const owner = await signUp(harness.app);
      const renamed = await harness.app.inject({
        method: "PATCH",
        url: "/api/v1/me",
        headers: bearer(owner.token),
        payload: { name: "  Ada Lovelace  " },
      });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ id: owner.user.id, name: "Ada Lovelace" });
      const audited = await harness.database.pool.query(
        "select before, after from audit_log where action = 'user.profile_updated' and target_id = $1",
        [owner.user.id],
      );
      expect(audited.rows).toEqual([{ before: { name: owner.user.name }, after: { name: "Ada Lovelace" } }]);

      for (const payload of [{ name: "" }, { name: "x".repeat(121) }, { name: "Ok", email: "new@example.com" }]) {
        const refused = await harness.app.inject({ method: "PATCH", url: "/api/v1/me", headers: bearer(owner.token), payload });
        expect(refused.statusCode).toBe(400);
        expect(refused.json().error.code).toBe("validation_failed");
      }
    });
  });
});
