import type { TChannelConnection, TConversation } from "@parley/shared";
import { and, count, eq, sql } from "drizzle-orm";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMAIL_SYNC_TASK, enqueueEmailSync } from "../src/modules/channels/email/email-imap-sync.ts";
import { inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, nextContactMessage, startChannelSuite } from "./channel-harness.ts";
import { DOVECOT_BINARY, type Dovecot, startDovecot } from "./email-dovecot.ts";
import { eventually } from "./fake-platform.ts";
import { nextEvent, type TestApp } from "./helpers.ts";
import { type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

const mail = (id: string, subject: string, body: string, from = "Ada Lovelace <ada@example.com>") =>
  `From: ${from}\r\nTo: support@acme.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Sat, 21 Nov 2026 03:00:00 +0000\r\n\r\n${body}\r\n`;

const title = DOVECOT_BINARY
  ? "Email channel: IMAP in, against a real Dovecot"
  : "Email channel: IMAP in — SKIPPED: Dovecot is not installed (apt-get install -y dovecot-imapd)";

if (!DOVECOT_BINARY) console.warn(`[channel-email-imap] ${title}`);

describe.skipIf(!DOVECOT_BINARY)(title, () => {
  let dovecot: Dovecot;
  let catcher: MailCatcher;
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let inboxId: string;
  let agentSocket: Socket;

  const imapSettings = (overrides: Record<string, unknown> = {}) => ({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    user: dovecot.user,
    password: dovecot.password,
    ...overrides,
  });

  const customerMessages = async () =>
    harness.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.inboxId, inboxId), eq(messages.senderType, "contact")));

  /** No sync job is queued or running any more. */
  const syncFinished = () =>
    eventually(async () => {
      const { rows } = await harness.database.pool.query(
        "select count(*)::int as n from graphile_worker.jobs where task_identifier = $1",
        [EMAIL_SYNC_TASK],
      );
      return rows[0]?.n === 0;
    }, 30_000);

  const flagsByMessageId = async () => {
    const client = await dovecot.client();
    const flags = new Map<string, string[]>();
    try {
      await client.mailboxOpen("INBOX", { readOnly: true });
      for await (const message of client.fetch("1:*", { envelope: true, flags: true })) {
        flags.set(message.envelope?.messageId ?? "", [...(message.flags ?? [])]);
      }
    } finally {
      await client.logout();
    }
    return flags;
  };

  beforeAll(async () => {
    dovecot = await startDovecot();
    catcher = await startMailCatcher();
    // Mail that was in the mailbox before Parley connected: one unread, one a person already read.
    await dovecot.deliver(mail("before-1@example.com", "Order 77 is late", "Where is order 77?"));
    await dovecot.deliver(mail("read-1@example.com", "Old newsletter", "Already handled."), { seen: true });
    suite = await startChannelSuite({ inbox: { type: "email", name: "Acme Support" } });
    ({ harness, baseUrl, inboxId } = suite);
    agentSocket = await suite.connectAgent();
  });

  afterAll(async () => {
    await suite?.close();
    await catcher?.close();
    await dovecot?.close();
  });

  it("checks the IMAP login and mailbox at connect, refusing with the server's words", async () => {
    const smtp = { host: "127.0.0.1", port: Number(new URL(catcher.url).port), secure: false };
    const wrongPassword = await suite.connectChannel({
      address: "support@acme.test",
      smtp,
      imap: imapSettings({ password: "nope" }),
    });
    expect(wrongPassword.statusCode).toBe(422);
    expect(wrongPassword.json().error).toMatchObject({ code: "channel_rejected" });
    expect(wrongPassword.json().error.message).toContain("Authentication failed");
    const noMailbox = await suite.connectChannel({
      address: "support@acme.test",
      smtp,
      imap: imapSettings({ mailbox: "Archive" }),
    });
    expect(noMailbox.statusCode).toBe(422);
    expect(noMailbox.json().error.message).toBe("The IMAP server has no mailbox named Archive.");

    const connected = await suite.connectChannel({ address: "support@acme.test", smtp, imap: imapSettings() });
    expect(connected.statusCode).toBe(200);
    const connection = connected.json<TChannelConnection>();
    expect(connection.config).toMatchObject({
      address: "support@acme.test",
      imap: { host: dovecot.host, port: dovecot.port, user: dovecot.user, mailbox: "INBOX" },
    });
    expect(JSON.stringify(connection)).not.toContain(dovecot.password);
  });

  it("first sync imports the unread mail only, marks it \\Seen and keeps the UID cursor", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created", 15_000);
    await enqueueEmailSync(harness.database.db, { idleMs: 0, inboxIds: [inboxId] });
    const { conversation } = await created;
    expect(conversation.contact).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com" });
    const message = await nextContactMessage(agentSocket, 10_000);
    expect(message).toMatchObject({ text: "Where is order 77?", content: { subject: "Order 77 is late" } });
    await syncFinished();
    expect((await customerMessages()).map((row) => row.externalId)).toEqual(["before-1@example.com"]);
    const flags = await flagsByMessageId();
    expect(flags.get("<before-1@example.com>")).toContain("\\Seen");
    expect((await suite.inboxRow()).channelConfig.imapState).toMatchObject({
      lastUid: 2,
      uidValidity: expect.stringMatching(/^\d+$/),
    });
  });

  it("stays in IDLE after catching up: mail delivered meanwhile arrives within moments", async () => {
    const loginsBefore = (await dovecot.log()).split("Login: user=<support>").length;
    await enqueueEmailSync(harness.database.db, { idleMs: 9_000, inboxIds: [inboxId] });
    // Wait until the run logged in and caught up, so only the server's push can bring the next mail.
    await eventually(async () => (await dovecot.log()).split("Login: user=<support>").length > loginsBefore, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const arrived = nextContactMessage(agentSocket, 8_000);
    const deliveredAt = Date.now();
    await dovecot.deliver(mail("idle-1@example.com", "Re: Order 77 is late", "It arrived, thanks!"));
    const message = await arrived;
    expect(message.text).toBe("It arrived, thanks!");
    expect(Date.now() - deliveredAt).toBeLessThan(5_000);
    // Still the same run: the job has not finished its IDLE window.
    const { rows } = await harness.database.pool.query(
      "select count(*)::int as n from graphile_worker.jobs where task_identifier = $1 and locked_at is not null",
      [EMAIL_SYNC_TASK],
    );
    expect(rows[0]?.n).toBe(1);
    await syncFinished();
  });

  it("a later run fetches only what is newer than the cursor, and nothing twice, whichever path it took", async () => {
    await dovecot.deliver(mail("later-1@example.com", "One more thing", "Can I change the address?"));
    const arrived = nextContactMessage(agentSocket, 15_000);
    await enqueueEmailSync(harness.database.db, { idleMs: 0, inboxIds: [inboxId] });
    expect((await arrived).text).toBe("Can I change the address?");
    await syncFinished();
    const ids = (await customerMessages()).map((row) => row.externalId).sort();
    expect(ids).toEqual(["before-1@example.com", "idle-1@example.com", "later-1@example.com"]);

    // The same message posted to the raw MIME endpoint as well (a second route in): stored once.
    const connected = await suite.connectChannel({
      address: "support@acme.test",
      smtp: { host: "127.0.0.1", port: Number(new URL(catcher.url).port), secure: false },
      imap: imapSettings(),
    });
    const mimeToken = connected.json<TChannelConnection>().issuedCredentials?.token ?? "";
    const before = await suite.storedEventCount();
    const posted = await fetch(`${baseUrl}/webhooks/email/${inboxId}`, {
      method: "POST",
      headers: { "content-type": "message/rfc822", authorization: `Bearer ${mimeToken}` },
      body: mail("later-1@example.com", "One more thing", "Can I change the address?"),
    });
    expect(posted.status).toBe(202);
    expect(await suite.storedEventCount()).toBe(before);
    // Reconnecting reset the cursor, and the next run finds no unread mail: nothing is imported again.
    await enqueueEmailSync(harness.database.db, { idleMs: 0, inboxIds: [inboxId] });
    await syncFinished();
    expect(await customerMessages()).toHaveLength(3);
    expect((await suite.inboxRow()).channelConfig.imapState).toMatchObject({ lastUid: 4 });
  });

  it("puts the inbox in error with the server's words when the mailbox password stops working", async () => {
    await dovecot.setPassword("changed-by-the-mail-admin");
    await enqueueEmailSync(harness.database.db, { idleMs: 0, inboxIds: [inboxId] });
    await syncFinished();
    const status = await suite.channelConnection();
    expect(status.json()).toMatchObject({ status: "error" });
    expect(status.json().error).toMatch(/^The IMAP server refused the login: .*Authentication failed/);
    // An inbox in error is not polled again (servers lock accounts after repeated failures).
    const logins = (await dovecot.log()).split("auth failed").length;
    await enqueueEmailSync(harness.database.db, { idleMs: 0, inboxIds: [inboxId] });
    await syncFinished();
    expect((await dovecot.log()).split("auth failed").length).toBe(logins);
    // Nor does the minute's schedule start a run when no mailbox can be polled.
    await harness.database.pool.query("select graphile_worker.add_job('channels.email.schedule_sync', '{}'::json)");
    await eventually(async () => {
      const { rows } = await harness.database.pool.query("select count(*)::int as n from graphile_worker.jobs");
      return rows[0]?.n === 0;
    });
    const { rows: dead } = await harness.database.pool.query("select count(*)::int as n from dead_letter_jobs");
    expect(dead[0]?.n).toBe(0);
    const [stored] = await harness.database.db
      .select({ value: count() })
      .from(inboxes)
      .where(and(eq(inboxes.id, inboxId), sql`${inboxes.channelStatus} = 'error'`));
    expect(stored?.value).toBe(1);
  });
});
