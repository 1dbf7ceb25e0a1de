import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMail } from "../src/platform/mail/templates.ts";
import type { Worker } from "../src/platform/queue/worker.ts";
import { bearer, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";
import { type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

describe("mail through SMTP", () => {
  let catcher: MailCatcher;
  let harness: TestApp;
  let worker: Worker;
  beforeAll(async () => {
    catcher = await startMailCatcher();
    harness = await startTestApp({ env: { SMTP_URL: catcher.url, MAIL_FROM: "Parley <parley@example.com>" } });
    worker = await startTestWorker(harness);
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
    await catcher.close();
  });

  it("delivers a queued message once its transaction commits, escaped in HTML", async () => {
    const owner = await signUp(harness.app);
    const mail = renderMail({
      subject: "Welcome <friend>",
      heading: "Hello & welcome",
      paragraphs: ["Click below."],
      action: { label: "Open", url: "http://parley.test/a?b=1&c=2" },
    });
    await harness.database.db.transaction((tx) =>
      harness.app.parley.mailer.queue(tx, { ...mail, to: "friend@example.com", workspaceId: owner.workspace.id }),
    );
    const received = await catcher.waitFor((message) => message.to.includes("friend@example.com"));
    expect(received.subject).toBe("Welcome <friend>");
    expect(received.text).toContain("Open: http://parley.test/a?b=1&c=2");
    expect(received.html).toContain("Hello &amp; welcome");
    // The worker marks the row sent right after the SMTP server accepted the message.
    let status = "";
    for (let waited = 0; waited < 5_000 && status !== "sent"; waited += 50) {
      const result = await harness.database.pool.query(
        "select status from mail_messages where to_address = 'friend@example.com'",
      );
      status = result.rows[0].status;
      if (status !== "sent") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe("sent");

    const mailbox = await harness.app.inject({ url: "/api/v1/dev-mailbox", headers: bearer(owner.token) });
    expect(mailbox.json()).toEqual({ isEnabled: false, items: [], nextCursor: null });
  });

  it("sends nothing when the transaction rolls back", async () => {
    await expect(
      harness.database.db.transaction(async (tx) => {
        await harness.app.parley.mailer.queue(tx, {
          ...renderMail({ subject: "Never", heading: "x", paragraphs: [] }),
          to: "never@example.com",
          workspaceId: null,
        });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(catcher.messages.some((message) => message.to.includes("never@example.com"))).toBe(false);
  });
});

describe("the dev mailbox without SMTP", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("keeps mail for the workspace's admins to read, and only theirs", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    await harness.database.db.transaction((tx) =>
      harness.app.parley.mailer.queue(tx, {
        ...renderMail({ subject: "Your code", heading: "Code", paragraphs: [], code: "123456" }),
        to: owner.user.email,
        workspaceId: owner.workspace.id,
      }),
    );
    const mailbox = await harness.app.inject({ url: "/api/v1/dev-mailbox", headers: bearer(owner.token) });
    expect(mailbox.statusCode).toBe(200);
    expect(mailbox.json().isEnabled).toBe(true);
    // Newest first: the code comes before the verification mail sign-up sent.
    const [newest, ...older] = mailbox.json().items;
    expect(newest).toMatchObject({ to: owner.user.email, subject: "Your code" });
    expect(newest.text).toContain("123456");
    expect(older.map((mail: { subject: string }) => mail.subject)).toEqual(["Confirm your email address for Parley"]);
    const othersView = await harness.app.inject({ url: "/api/v1/dev-mailbox", headers: bearer(other.token) });
    expect(othersView.json().items.map((mail: { to: string }) => mail.to)).toEqual([other.user.email]);
  });
});
