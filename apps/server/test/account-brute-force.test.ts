import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Worker } from "../src/platform/queue/worker.ts";
import { signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";
import { codeIn, type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

const answerOf = (response: LightMyRequestResponse) => ({ status: response.statusCode, body: response.json() });

describe("answers never tell whether an email is registered", () => {
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

  const post = (url: string, payload: object) => harness.app.inject({ method: "POST", url: `/api/v1${url}`, payload });

  it("gives the same answer to code and reset requests for known and unknown emails, and mails only the known one", async () => {
    const owner = await signUp(harness.app);
    const unknown = "nobody-registered@example.com";
    for (const url of ["/auth/login-code/request", "/auth/password-reset/request"]) {
      const known = await post(url, { email: owner.user.email });
      const stranger = await post(url, { email: unknown });
      expect(known.statusCode).toBe(202);
      expect(answerOf(stranger)).toEqual(answerOf(known));
    }
    await catcher.waitFor((mail) => mail.to.includes(owner.user.email) && /reset/i.test(mail.subject));
    await catcher.waitFor((mail) => mail.to.includes(owner.user.email) && /sign-in code/i.test(mail.subject));
    const mailed = await harness.database.pool.query("select count(*)::int as count from mail_messages where to_address = $1", [
      unknown,
    ]);
    expect(mailed.rows[0].count).toBe(0);
  });

  it("runs wrong codes for an unknown email through the same attempts and exhaustion as for a known one", async () => {
    const owner = await signUp(harness.app);
    const unknown = "nobody-either@example.com";
    await post("/auth/login-code/request", { email: owner.user.email });
    await post("/auth/login-code/request", { email: unknown });
    const code = codeIn(
      await catcher.waitFor((mail) => mail.to.includes(owner.user.email) && /sign-in code/i.test(mail.subject)),
    );
    const guesses = [1, 2, 3, 4, 5, 6].map((offset) => String((Number(code) + offset) % 1_000_000).padStart(6, "0"));

    const knownAnswers = [];
    const unknownAnswers = [];
    for (const guess of guesses) {
      knownAnswers.push(answerOf(await post("/auth/login-code/verify", { email: owner.user.email, code: guess })));
      unknownAnswers.push(answerOf(await post("/auth/login-code/verify", { email: unknown, code: guess })));
    }
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(knownAnswers.map((answer) => answer.body.error.code)).toEqual([
      "invalid_code",
      "invalid_code",
      "invalid_code",
      "invalid_code",
      "invalid_code",
      "too_many_attempts",
    ]);
  });
});

describe("rate limits per IP and per account", () => {
  let harness: TestApp;
  let ipCounter = 0;
  const nextIp = () => `198.51.100.${++ipCounter}`;
  beforeAll(async () => {
    harness = await startTestApp({ authRateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await harness.close();
  });

  const post = (url: string, payload: object, ip: string) =>
    harness.app.inject({ method: "POST", url: `/api/v1${url}`, payload, remoteAddress: ip });

  it("limits one IP trying many accounts", async () => {
    const ip = nextIp();
    const statuses = [];
    for (let index = 0; index < 4; index++) {
      statuses.push((await post("/auth/login-code/request", { email: `spray${index}@example.com` }, ip)).statusCode);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await post("/auth/login-code/request", { email: "spray9@example.com" }, ip);
    expect(limited.json().error.code).toBe("rate_limited");
    // Another address is not affected.
    expect((await post("/auth/login-code/request", { email: "spray9@example.com" }, nextIp())).statusCode).toBe(202);
  });

  it("limits one account tried from many IPs, with the same answer whether or not it is registered", async () => {
    const owner = await signUp(harness.app, { password: "the real passphrase" });
    const attempts = async (email: string) => {
      const answers = [];
      for (let index = 0; index < 5; index++) {
        const response = await post("/auth/login", { email, password: "a wrong guess" }, nextIp());
        answers.push({ ...answerOf(response), retryAfter: Number(response.headers["retry-after"] ?? 0) });
      }
      return answers;
    };
    const known = await attempts(owner.user.email);
    const unknown = await attempts("never-signed-up@example.com");
    expect(known.map((answer) => answer.status)).toEqual([401, 401, 401, 429, 429]);
    expect(unknown.map((answer) => answer.status)).toEqual(known.map((answer) => answer.status));
    expect(unknown.map((answer) => answer.body.error.code)).toEqual(known.map((answer) => answer.body.error.code));
    expect(known[3]?.body.error.code).toBe("rate_limited");
    // Backoff: each attempt over the limit doubles the wait.
    expect(known[3]?.retryAfter).toBe(900);
    expect(known[4]?.retryAfter).toBe(1800);

    // Even the right password waits, from a fresh IP; other accounts are not affected.
    const right = await post("/auth/login", { email: owner.user.email, password: "the real passphrase" }, nextIp());
    expect(right.statusCode).toBe(429);
    const other = await signUp(harness.app, { password: "the real passphrase" });
    expect((await post("/auth/login", { email: other.user.email, password: "the real passphrase" }, nextIp())).statusCode).toBe(
      200,
    );
  });

  it("limits code requests, code guesses and reset requests per account", async () => {
    const owner = await signUp(harness.app);
    const cases: Array<{ url: string; payload: object; allowed: number }> = [
      { url: "/auth/login-code/request", payload: { email: owner.user.email }, allowed: 202 },
      { url: "/auth/login-code/verify", payload: { email: owner.user.email, code: "000000" }, allowed: 400 },
      { url: "/auth/password-reset/request", payload: { email: owner.user.email.toUpperCase() }, allowed: 202 },
    ];
    for (const { url, payload, allowed } of cases) {
      const statuses = [];
      for (let index = 0; index < 4; index++) statuses.push((await post(url, payload, nextIp())).statusCode);
      expect(statuses, url).toEqual([allowed, allowed, allowed, 429]);
    }
  });
});
