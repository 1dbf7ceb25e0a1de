import type { TChannelConnection, TConversation, TMessage } from "@parley/shared";
import { count, eq } from "drizzle-orm";
import PostalMime from "postal-mime";
import { SMTPServer } from "smtp-server";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelEvents } from "../src/modules/channels/channels.tables.ts";
import { attachments, messages } from "../src/modules/messages/messages.tables.ts";
import { type ChannelSuite, nextContactMessage, sentMessage, startChannelSuite } from "./channel-harness.ts";
import { eventually } from "./fake-platform.ts";
import { bearer, nextEvent, nextEventMatching, type TestApp } from "./helpers.ts";
import { type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

const crlf = (text: string) => `${text.trim().replace(/\r?\n/g, "\r\n")}\r\n`;

/**
 * An SMTP server whose answers the test scripts: 4xx and 5xx replies to RCPT, and logins that
 * start failing, as real servers do with greylisting, unknown users and changed passwords.
 */
const startScriptedSmtp = async () => {
  const state = { rcpt: [] as Array<{ code: number; message: string }>, isLoginRefused: false, received: [] as Buffer[] };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth: (auth, _session, callback) => {
      if (state.isLoginRefused || auth.password !== "smtp-secret") {
        const error = Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 });
        return callback(error);
      }
      callback(null, { user: auth.username });
    },
    onRcptTo: (_address, _session, callback) => {
      const next = state.rcpt.shift();
      if (next) return callback(Object.assign(new Error(next.message), { responseCode: next.code }));
      callback();
    },
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        state.received.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
  return { port, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

describe("Email channel: raw MIME in, SMTP out", () => {
  let suite: ChannelSuite;
  let harness: TestApp;
  let baseUrl: string;
  let catcher: MailCatcher;
  let scripted: Awaited<ReturnType<typeof startScriptedSmtp>>;
  let token: string;
  let inboxId: string;
  let mimeToken: string;
  let agentSocket: Socket;
  const address = "support@acme.test";

  const postMime = (raw: string | Buffer, options: { inbox?: string; auth?: string; type?: string } = {}) =>
    fetch(`${baseUrl}/webhooks/email/${options.inbox ?? inboxId}`, {
      method: "POST",
      headers: {
        "content-type": options.type ?? "message/rfc822",
        authorization: options.auth ?? `Bearer ${mimeToken}`,
      },
      body: typeof raw === "string" ? crlf(raw) : new Uint8Array(raw),
    });

  /** Every stored event has been processed (so "nothing happened" is a real outcome, not a race). */
  const settled = (inbox = inboxId) =>
    eventually(async () => {
      const rows = await harness.database.db.select().from(channelEvents).where(eq(channelEvents.inboxId, inbox));
      return rows.every((row) => row.processedAt !== null);
    });

  const reply = async (conversationId: string, body: Record<string, unknown>) => {
    const sent = await suite.postMessage(conversationId, body);
    expect(sent.statusCode).toBe(201);
    return sentMessage(sent);
  };

  beforeAll(async () => {
    catcher = await startMailCatcher();
    scripted = await startScriptedSmtp();
    suite = await startChannelSuite({ inbox: { type: "email", name: "Acme Support" }, agentName: "Grace Hopper" });
    ({ harness, baseUrl, token, inboxId } = suite);
    const port = Number(new URL(catcher.url).port);
    const connected = await suite.connectChannel({
      address: "Support@Acme.test",
      displayName: "Acme Support",
      smtp: { host: "127.0.0.1", port, secure: false },
      imap: null,
    });
    expect(connected.statusCode).toBe(200);
    const connection = connected.json<TChannelConnection>();
    expect(connection).toMatchObject({
      status: "connected",
      platform: "email",
      channelKey: address,
      webhookUrl: `${harness.config.publicUrl}/webhooks/email/${inboxId}`,
    });
    mimeToken = connection.issuedCredentials?.token ?? "";
    expect(mimeToken).toMatch(/^pem_/);
    agentSocket = await suite.connectAgent();
  });

  afterAll(async () => {
    await suite?.close();
    await catcher?.close();
    await scripted?.close();
  });

  it("checks SMTP and IMAP at connect and refuses with the server's own words", async () => {
    const other = await suite.createInbox({ type: "email", name: "Billing" });
    const badLogin = await suite.connectChannel(
      {
        address: "billing@acme.test",
        smtp: { host: "127.0.0.1", port: scripted.port, secure: false, user: "billing", password: "wrong" },
        imap: null,
      },
      other,
    );
    expect(badLogin.statusCode).toBe(422);
    expect(badLogin.json().error).toMatchObject({ code: "channel_rejected" });
    expect(badLogin.json().error.message).toContain("5.7.8 Authentication credentials invalid");

    const noImap = await suite.connectChannel(
      {
        address: "billing@acme.test",
        smtp: null,
        imap: { host: "127.0.0.1", port: 1, secure: false, user: "billing", password: "x" },
      },
      other,
    );
    // smtp null uses Parley's mailer, and this test app has no SMTP_URL: refused before IMAP is tried.
    expect(noImap.statusCode).toBe(422);
    expect(noImap.json().error.message).toContain("SMTP_URL");

    const refusedImap = await suite.connectChannel(
      {
        address: "billing@acme.test",
        smtp: { host: "127.0.0.1", port: scripted.port, secure: false },
        imap: { host: "127.0.0.1", port: 1, secure: false, user: "billing", password: "x" },
      },
      other,
    );
    expect(refusedImap.statusCode).toBe(422);
    expect(refusedImap.json().error.message).toMatch(/^The IMAP server refused the connection: .*ECONNREFUSED/);

    const invalid = await suite.connectChannel({ address: "not-an-address", smtp: null, imap: null }, other);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details[0].path).toBe("credentials.address");
    expect((await suite.inboxRow(other)).channelStatus).toBeNull();
  });

  // RFC 5322 Appendix A.2 ("a message and its reply"), addressed to our inbox.
  const hello = `
From: John Doe <jdoe@machine.example>
To: Acme Support <support@acme.test>
Subject: Saying Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.machine.example>

This is a message just to say hello.
So, "Hello".
`;

  let conversationId: string;
  let firstReply: TMessage;

  it("turns a raw message into a conversation the agent sees live, once however often it is posted", async () => {
    const created = nextEvent<{ conversation: TConversation }>(agentSocket, "conversation.created");
    const posted = await postMime(hello);
    expect(posted.status).toBe(202);
    const { conversation } = await created;
    conversationId = conversation.id;
    expect(conversation.inbox.type).toBe("email");
    expect(conversation.contact).toMatchObject({ name: "John Doe", email: "jdoe@machine.example" });
    const message = await nextContactMessage(agentSocket);
    expect(message).toMatchObject({ senderType: "contact", text: 'This is a message just to say hello.\nSo, "Hello".' });
    expect(message.content).toMatchObject({ subject: "Saying Hello" });

    const before = await suite.storedEventCount();
    expect((await postMime(hello)).status).toBe(202);
    expect(await suite.storedEventCount()).toBe(before);
    expect(await suite.copiesOfExternalId("1234@local.machine.example")).toBe(1);
  });

  it("sends the agent's reply by SMTP in the customer's thread, with attachments and a reply address", async () => {
    const attachmentId = await suite.uploadAttachment({ name: "label.png", bytes: PNG, type: "image/png" });

    firstReply = await reply(conversationId, {
      clientId: "email-reply-1",
      text: "Hello John, **welcome** <b>aboard</b>.\nSee [our guide](https://acme.test/guide).",
      attachmentIds: [attachmentId],
    });
    const mail = await catcher.waitFor((candidate) => candidate.to.includes("jdoe@machine.example"));
    const parsed = await PostalMime.parse(mail.raw);
    expect(parsed.from).toEqual({ name: "Grace Hopper via Acme Support", address });
    expect(parsed.messageId).toBe(`<${firstReply.id}@acme.test>`);
    expect(parsed.inReplyTo).toBe("<1234@local.machine.example>");
    expect(parsed.references).toBe("<1234@local.machine.example>");
    expect(parsed.subject).toBe("Re: Saying Hello");
    expect(parsed.replyTo?.[0]?.name).toBe("Acme Support");
    expect(parsed.replyTo?.[0]?.address).toMatch(/^support\+[a-z2-7]{36}@acme\.test$/);
    expect(parsed.text?.trim()).toBe("Hello John, welcome <b>aboard</b>.\nSee our guide <https://acme.test/guide>.");
    expect(parsed.html).toContain("<strong>welcome</strong> &#60;b&#62;aboard&#60;/b&#62;");
    expect(parsed.html).toContain('<a href="https://acme.test/guide">our guide</a>');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: "label.png", mimeType: "image/png" });
    expect(Buffer.from(parsed.attachments[0]?.content as ArrayBuffer).equals(PNG)).toBe(true);

    const sent = await eventually(async () => {
      const row = await suite.messageByExternalId(`${firstReply.id}@acme.test`);
      return row?.deliveryStatus === "sent" ? row : undefined;
    });
    expect(sent.id).toBe(firstReply.id);
  });

  it("continues the conversation when the customer answers, by In-Reply-To, without the quoted history", async () => {
    const incoming = nextContactMessage(agentSocket);
    const posted = await postMime(`
From: John Doe <jdoe@machine.example>
To: Acme Support <support@acme.test>
Subject: Re: Saying Hello
Date: Fri, 21 Nov 1997 10:01:10 -0600
Message-ID: <3456@machine.example>
In-Reply-To: <${firstReply.id}@acme.test>
References: <1234@local.machine.example> <${firstReply.id}@acme.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Thanks, that helps!

--=20
John Doe
Machine Example Ltd.

On Fri, 21 Nov 1997 at 10:00, Grace Hopper via Acme Support <support@acme.test> wrote:
> Hello John, welcome aboard.
> See our guide.
--alt
Content-Type: text/html; charset=utf-8

<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>
<p onclick="steal()">Thanks, <b>that helps</b>!</p><a href="javascript:alert(2)">x</a><img src="https://cdn.example/x.png">
<blockquote>Hello John, welcome aboard.</blockquote></body></html>
--alt--
`);
    expect(posted.status).toBe(202);
    const message = await incoming;
    expect(message.conversationId).toBe(conversationId);
    expect(message.text).toBe("Thanks, that helps!");
    const html = String(message.content.html);
    expect(html).toContain("<b>that helps</b>");
    expect(html).toContain('<img src="https://cdn.example/x.png">');
    expect(html).toContain("<blockquote>Hello John, welcome aboard.</blockquote>");
    for (const unsafe of ["<script", "alert(1)", "onclick", "javascript:", "<style", "color:red"])
      expect(html).not.toContain(unsafe);
    expect(message.content.subject).toBe("Re: Saying Hello");

    // A colleague answering from another address lands in the same thread by its headers alone,
    // while the same colleague's unrelated mail starts a conversation of its own.
    const colleague = nextContactMessage(agentSocket);
    await postMime(`
From: Jane Roe <jane@machine.example>
To: support@acme.test
Subject: Re: Saying Hello
Message-ID: <jane-1@machine.example>
In-Reply-To: <${firstReply.id}@acme.test>

Adding my colleague's details.
`);
    expect((await colleague).conversationId).toBe(conversationId);
    const unrelated = nextContactMessage(agentSocket);
    await postMime(`
From: Jane Roe <jane@machine.example>
To: support@acme.test
Subject: Another question
Message-ID: <jane-2@machine.example>

Do you ship to Norway?
`);
    expect((await unrelated).conversationId).not.toBe(conversationId);
  });

  it("threads by the reply token alone, and stores every attachment, inline images too", async () => {
    const mail = await catcher.waitFor((candidate) => candidate.to.includes("jdoe@machine.example"));
    const parsed = await PostalMime.parse(mail.raw);
    const replyTo = parsed.replyTo?.[0]?.address ?? "";
    expect(replyTo).toMatch(/^support\+/);
    const incoming = nextContactMessage(agentSocket);
    // A new mail (no In-Reply-To, a new subject) to the reply address, from a client that lowercases
    // it, by someone whose own latest conversation is another one: only the token can thread it.
    const posted = await postMime(`
From: "Jane Roe" <Jane@machine.example>
To: ${replyTo.toLowerCase()}
Subject: Photos of the damage
Message-ID: <photos-1@machine.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed"

--mixed
Content-Type: multipart/related; boundary="related"

--related
Content-Type: text/html; charset=utf-8

<p>Here it is: <img src="cid:shot@machine.example"></p>
--related
Content-Type: image/png
Content-ID: <shot@machine.example>
Content-Disposition: inline; filename="inline-shot.png"
Content-Transfer-Encoding: base64

${PNG.toString("base64")}
--related--
--mixed
Content-Type: image/png; name="box.png"
Content-Disposition: attachment; filename="box.png"
Content-Transfer-Encoding: base64

${PNG.toString("base64")}
--mixed--
`);
    expect(posted.status).toBe(202);
    const message = await incoming;
    expect(message.conversationId).toBe(conversationId);
    expect(message.text).toBe("Here it is:");
    const files = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, message.id));
    expect(files.map((file) => file.fileName).sort()).toEqual(["box.png", "inline-shot.png"]);
    expect(files.every((file) => file.contentType === "image/png")).toBe(true);
  });

  it("accepts messages larger than the API's body limit, up to the attachment size", async () => {
    const big = Buffer.from("2026-11-21 03:00:00 INFO request served\n".repeat(80_000));
    const incoming = nextContactMessage(agentSocket);
    const posted = await postMime(`
From: John Doe <jdoe@machine.example>
To: support@acme.test
Subject: The full log
Message-ID: <big-1@machine.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed"

--mixed
Content-Type: text/plain

Log attached.
--mixed
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename="server.txt"
Content-Transfer-Encoding: base64

${big.toString("base64").replace(/.{76}/g, "$&\n")}
--mixed--
`);
    expect(posted.status).toBe(202);
    const message = await incoming;
    const [file] = await harness.database.db.select().from(attachments).where(eq(attachments.messageId, message.id));
    expect(big.length).toBeGreaterThan(3_000_000);
    expect(file).toMatchObject({ fileName: "server.txt", byteSize: big.length });
  });

  it("ignores automatic replies: no customer message, our reply untouched", async () => {
    const before = await harness.database.db.select({ value: count() }).from(messages).where(eq(messages.inboxId, inboxId));
    // RFC 3834 §3.1.7 (Auto-Submitted) on a vacation notice that threads to our reply.
    const posted = await postMime(`
From: John Doe <jdoe@machine.example>
To: support@acme.test
Subject: Auto: Re: Saying Hello
Message-ID: <vacation-1@machine.example>
In-Reply-To: <${firstReply.id}@acme.test>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All

I am out of the office until Monday.
`);
    expect(posted.status).toBe(202);
    // Outlook's out-of-office without Auto-Submitted.
    expect(
      (
        await postMime(`
From: John Doe <jdoe@machine.example>
To: support@acme.test
Subject: Automatic reply: Saying Hello
Message-ID: <vacation-2@machine.example>
X-Auto-Response-Suppress: All
Precedence: auto_reply

Out of office.
`)
      ).status,
    ).toBe(202);
    await settled();
    const after = await harness.database.db.select({ value: count() }).from(messages).where(eq(messages.inboxId, inboxId));
    expect(after[0]?.value).toBe(before[0]?.value);
    expect((await suite.messageByExternalId(`${firstReply.id}@acme.test`))?.deliveryStatus).toBe("sent");
  });

  it("fails our message with the server's diagnostic when it bounces", async () => {
    const updated = nextEventMatching<{ message: TMessage }>(
      agentSocket,
      "message.updated",
      ({ message }) => message.id === firstReply.id && message.deliveryStatus === "failed",
    );
    // The delivery status notification of RFC 3464 Appendix A, returning our reply.
    const posted = await postMime(`
Date: Fri, 21 Nov 1997 10:05:11 -0600
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.acme.test>
Message-Id: <199711211605.RAA14128@mx.acme.test>
Subject: Returned mail: see transcript for details
To: <support@acme.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
      boundary="RAA14128.773615765/mx.acme.test"

--RAA14128.773615765/mx.acme.test

The original message was received at Fri, 21 Nov 1997 10:02:11 -0600
   ----- The following addresses had permanent fatal errors -----
<jdoe@machine.example>

--RAA14128.773615765/mx.acme.test
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.test

Final-Recipient: rfc822;jdoe@machine.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <jdoe@machine.example>: Recipient address
      rejected: User unknown
Last-Attempt-Date: Fri, 21 Nov 1997 10:05:11 -0600

--RAA14128.773615765/mx.acme.test
Content-Type: message/rfc822

From: "Grace Hopper via Acme Support" <support@acme.test>
To: jdoe@machine.example
Subject: Re: Saying Hello
Message-ID: <${firstReply.id}@acme.test>

Hello John
--RAA14128.773615765/mx.acme.test--
`);
    expect(posted.status).toBe(202);
    const { message } = await updated;
    expect(message.id).toBe(firstReply.id);
    const row = await suite.messageByExternalId(`${firstReply.id}@acme.test`);
    expect(row?.deliveryStatus).toBe("failed");
    expect(row?.deliveryError).toBe(
      "The mail could not be delivered to jdoe@machine.example: 550 5.1.1 <jdoe@machine.example>: Recipient address rejected: User unknown",
    );
    // The bounce itself is not a customer message.
    expect(await suite.messageByExternalId("199711211605.RAA14128@mx.acme.test")).toBeUndefined();
  });

  it("marks our reply read when the customer's client sends a read receipt", async () => {
    const second = await reply(conversationId, { clientId: "email-reply-2", text: "Did you get the label?" });
    const externalId = `${second.id}@acme.test`;
    await eventually(async () => (await suite.messageByExternalId(externalId))?.deliveryStatus === "sent");
    // A message disposition notification as in RFC 8098 §9.
    const posted = await postMime(`
From: John Doe <jdoe@machine.example>
To: support@acme.test
Subject: Read: Re: Saying Hello
Message-ID: <mdn-1@machine.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"

--mdn
Content-Type: text/plain

The message sent on 1997-11-21 to jdoe@machine.example was displayed.
--mdn
Content-Type: message/disposition-notification

Reporting-UA: joes-pc.cs.example.com; Foomail 97.1
Original-Recipient: rfc822;jdoe@machine.example
Final-Recipient: rfc822;jdoe@machine.example
Original-Message-ID: <${externalId}>
Disposition: manual-action/MDN-sent-manually; displayed
--mdn--
`);
    expect(posted.status).toBe(202);
    await eventually(async () => (await suite.messageByExternalId(externalId))?.deliveryStatus === "read");
    expect(await suite.messageByExternalId("mdn-1@machine.example")).toBeUndefined();
  });

  it("refuses a wrong token with 403 and stores nothing; accepts the token as a Basic password", async () => {
    const before = await suite.storedEventCount();
    const forged = hello.replace("1234@local", "forged@local");
    expect((await postMime(forged, { auth: "Bearer pem_wrong" })).status).toBe(403);
    expect((await postMime(forged, { auth: "" })).status).toBe(403);
    expect(await suite.storedEventCount()).toBe(before);
    const basic = `Basic ${Buffer.from(`parley:${mimeToken}`).toString("base64")}`;
    expect((await postMime(hello.replace("1234@local", "basic-1@local"), { auth: basic })).status).toBe(202);
    expect(await suite.storedEventCount()).toBe(before + 1);
  });

  it("answers malformed posts with a 4xx, never a 500", async () => {
    const json = await postMime('{"hello":1}', { type: "application/json" });
    expect(json.status).toBe(415);
    const notMime = await postMime("just some words without headers", { type: "text/plain" });
    expect(notMime.status).toBe(400);
    expect(((await notMime.json()) as { error: { message: string } }).error.message).toContain("From");
    expect((await postMime("", {})).status).toBe(400);
    const noInbox = await fetch(`${baseUrl}/webhooks/email`, {
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: crlf(hello),
    });
    expect(noInbox.status).toBe(404);
  });

  it("maps SMTP replies: 4xx is retried until it goes, 5xx fails with the server's reply, a refused login marks the inbox", async () => {
    const billing = await suite.createInbox({ type: "email", name: "Billing desk" });
    const connected = await suite.connectChannel(
      {
        address: "billing@acme.test",
        smtp: { host: "127.0.0.1", port: scripted.port, secure: false, user: "billing", password: "smtp-secret" },
        imap: null,
        plusAddressing: false,
      },
      billing,
    );
    expect(connected.statusCode).toBe(200);
    const billingToken = connected.json<TChannelConnection>().issuedCredentials?.token ?? "";
    const created = nextEventMatching<{ conversation: TConversation }>(
      agentSocket,
      "conversation.created",
      (event) => event.conversation.inbox.id === billing,
    );
    expect(
      (
        await postMime(hello.replace("support@acme.test", "billing@acme.test").replace("1234@local", "billing-1@local"), {
          inbox: billing,
          auth: `Bearer ${billingToken}`,
        })
      ).status,
    ).toBe(202);
    const billingConversation = (await created).conversation.id;

    scripted.state.rcpt.push({ code: 451, message: "4.7.1 Greylisted, please try again later" });
    const deferred = await reply(billingConversation, { clientId: "billing-1", text: "First try is greylisted" });
    const delivered = await suite.messageWithStatus(deferred.id, "sent", 20_000);
    expect(delivered.externalId).toBe(`${deferred.id}@acme.test`);
    const accepted = await PostalMime.parse(scripted.state.received.at(-1) ?? Buffer.alloc(0));
    expect(accepted.messageId).toBe(`<${deferred.id}@acme.test>`);
    // This inbox's server does not deliver plus-addresses, so no reply address is offered.
    expect(accepted.replyTo).toBeUndefined();

    scripted.state.rcpt.push({ code: 550, message: "5.1.1 <jdoe@machine.example>: Recipient address rejected" });
    const refused = await reply(billingConversation, { clientId: "billing-2", text: "This one bounces at once" });
    const failed = await suite.messageWithStatus(refused.id, "failed");
    expect(failed.deliveryError).toBe(
      "The mail server refused the message: 550 5.1.1 <jdoe@machine.example>: Recipient address rejected",
    );

    scripted.state.isLoginRefused = true;
    const locked = await reply(billingConversation, { clientId: "billing-3", text: "Password changed meanwhile" });
    const lockedOut = await suite.messageWithStatus(locked.id, "failed");
    expect(lockedOut.deliveryError).toContain("The SMTP server refused our login: 535 5.7.8 Authentication credentials invalid");
    const status = await suite.channelConnection(billing);
    expect(status.json()).toMatchObject({ status: "error" });
    expect(status.json().error).toContain("5.7.8");
    scripted.state.isLoginRefused = false;
  });

  it("disconnects: the token stops working and replies are refused", async () => {
    const disconnected = await suite.disconnectChannel();
    expect(disconnected.json()).toMatchObject({ status: "disconnected" });
    expect((await postMime(hello.replace("1234@local", "after-1@local"))).status).toBe(403);
    const refused = await suite.postMessage(conversationId, {
      clientId: "after-disconnect",
      text: "Nobody will get this",
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("channel_not_connected");
    const audit = await harness.app.inject({ method: "GET", url: "/api/v1/audit-log", headers: bearer(token) });
    const actions = (audit.json().items as Array<{ action: string }>).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(["inbox.channel_connected", "inbox.channel_disconnected"]));
  });
});
