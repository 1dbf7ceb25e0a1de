import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import type { Worker } from "../src/platform/queue/worker.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, joinWorkspace, signUp, startTestApp, startTestWorker, type TestApp } from "./helpers.ts";
import { type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

type MessageDto = {
  id: string;
  text: string;
  senderType: string;
  contentType: string;
  isPrivate: boolean;
  content: Record<string, unknown>;
};
type Ack<T = unknown> = { ok: boolean; data: T; error?: { code: string } };

describe("CSAT and transcripts", () => {
  let harness: TestApp;
  let baseUrl: string;
  let mail: MailCatcher;
  let worker: Worker;
  beforeAll(async () => {
    mail = await startMailCatcher();
    harness = await startTestApp({ env: { SMTP_URL: mail.url } });
    baseUrl = await harness.listen();
    worker = await startTestWorker(harness);
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
    await mail.close();
  });

  /** A CSAT-enabled inbox, a visitor who wrote, and the owner's socket. */
  const setUp = async (options: { isCsatEnabled?: boolean; channelConfig?: Record<string, unknown> } = {}) => {
    const owner = await signUp(harness.app, { name: "Olga Owner" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, name: "Support" });
    await harness.database.db
      .update(inboxes)
      .set({ isCsatEnabled: options.isCsatEnabled ?? true, channelConfig: options.channelConfig ?? {} })
      .where(eq(inboxes.id, inbox.id));
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const first = await emitWithAck<Ack<{ conversationId: string }>>(visitor.socket, "message.send", {
      clientId: "v-1",
      text: "My <b>order</b> is late",
    });
    const conversationId = first.data.conversationId;
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    return { owner, inbox, visitor, conversationId, agentSocket };
  };

  const setStatus = (token: string, conversationId: string, status: string) =>
    harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/status`,
      headers: bearer(token),
      payload: { status },
    });

  const reply = (token: string, conversationId: string, text: string, isPrivate = false) =>
    harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/messages`,
      headers: bearer(token),
      payload: { clientId: `a-${text}`, text, isPrivate },
    });

  it("asks for a rating on each resolution and takes one answer per request", async () => {
    const { owner, visitor, conversationId, agentSocket } = await setUp();
    try {
      const early = await emitWithAck<Ack>(visitor.socket, "csat.submit", { conversationId, rating: 5 });
      expect(early.error?.code).toBe("conflict");

      const visitorMessages = collect<{ message: MessageDto }>(visitor.socket, "message.created");
      expect((await setStatus(owner.token, conversationId, "resolved")).statusCode).toBe(200);
      await settle(300);
      const asked = visitorMessages.map((event) => event.message).filter((message) => message.contentType === "form");
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ senderType: "bot", content: { kind: "csat", scale: 5 }, isPrivate: false });

      expect((await emitWithAck<Ack>(visitor.socket, "csat.submit", { conversationId, rating: 6 })).error?.code).toBe(
        "validation_failed",
      );
      expect((await emitWithAck<Ack>(visitor.socket, "csat.submit", "nonsense")).error?.code).toBe("validation_failed");

      await settle(1_000); // past the per-second rate limit of csat.submit
      const agentMessages = collect<{ message: MessageDto }>(agentSocket, "message.created");
      const laterVisitorMessages = collect<{ message: MessageDto }>(visitor.socket, "message.created");
      const answers = await Promise.all([
        emitWithAck<Ack<{ response: { rating: number } }>>(visitor.socket, "csat.submit", {
          conversationId,
          rating: 4,
          comment: "Quick help",
        }),
        emitWithAck<Ack>(visitor.socket, "csat.submit", { conversationId, rating: 1 }),
      ]);
      // Sent at once, exactly one is stored.
      expect(answers.map((answer) => answer.ok).sort()).toEqual([false, true]);
      expect(answers.find((answer) => !answer.ok)?.error?.code).toBe("conflict");
      const storedRating = (answers.find((answer) => answer.ok)?.data as { response: { rating: number } } | undefined)?.response
        .rating;
      await settle();
      const systemLines = agentMessages.map((event) => event.message).filter((message) => message.senderType === "system");
      expect(systemLines).toHaveLength(1);
      expect(systemLines[0]).toMatchObject({ isPrivate: true, content: { kind: "csat_response" } });
      expect(systemLines[0]?.text).toContain(`${storedRating}/5`);
      expect(laterVisitorMessages).toEqual([]);

      const again = await emitWithAck<Ack>(visitor.socket, "csat.submit", { conversationId, rating: 2 });
      expect(again.error?.code).toBe("conflict");

      // The contact writes again (reopens), the conversation is resolved again: a new request, a new answer.
      await emitWithAck(visitor.socket, "message.send", { clientId: "v-2", text: "One more thing" });
      expect((await setStatus(owner.token, conversationId, "resolved")).statusCode).toBe(200);
      const second = await emitWithAck<Ack>(visitor.socket, "csat.submit", { conversationId, rating: 5 });
      expect(second.ok).toBe(true);

      const ratings = await harness.app.inject({
        url: `/api/v1/conversations/${conversationId}/csat`,
        headers: bearer(owner.token),
      });
      expect(ratings.json().items.map((item: { rating: number }) => item.rating)).toHaveLength(2);
      expect(ratings.json().items[0]).toMatchObject({ rating: 5, conversationId });

      // Another visitor cannot rate this conversation.
      const otherSetUp = await setUp();
      const foreign = await emitWithAck<Ack>(otherSetUp.visitor.socket, "csat.submit", { conversationId, rating: 1 });
      expect(foreign.error?.code).toBe("not_found");
      otherSetUp.visitor.socket.close();
      otherSetUp.agentSocket.close();
    } finally {
      visitor.socket.close();
      agentSocket.close();
    }
  });

  it("does not ask when the inbox has CSAT off", async () => {
    const { owner, visitor, conversationId, agentSocket } = await setUp({ isCsatEnabled: false });
    try {
      const visitorMessages = collect<{ message: MessageDto }>(visitor.socket, "message.created");
      await setStatus(owner.token, conversationId, "resolved");
      await settle(300);
      expect(visitorMessages.filter((event) => event.message.contentType === "form")).toEqual([]);
    } finally {
      visitor.socket.close();
      agentSocket.close();
    }
  });

  it("reports ratings with their average to members who may see reports", async () => {
    const { owner, visitor, conversationId, agentSocket } = await setUp();
    visitor.socket.close();
    agentSocket.close();
    await setStatus(owner.token, conversationId, "resolved");
    const [conversation] = await harness.database.db.select().from(conversations).where(eq(conversations.id, conversationId));
    expect(conversation?.status).toBe("resolved");

    // Conversations in two more inboxes, rated through the real visitor path.
    const ratingsFor = async (ratings: number[], inboxName: string) => {
      const other = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, name: inboxName });
      await harness.database.db.update(inboxes).set({ isCsatEnabled: true }).where(eq(inboxes.id, other.id));
      for (const rating of ratings) {
        const v = await connectVisitor(harness, baseUrl, other.websiteToken ?? "");
        const sent = await emitWithAck<Ack<{ conversationId: string }>>(v.socket, "message.send", { clientId: "x", text: "hi" });
        await setStatus(owner.token, sent.data.conversationId, "resolved");
        expect((await emitWithAck<Ack>(v.socket, "csat.submit", { conversationId: sent.data.conversationId, rating })).ok).toBe(
          true,
        );
        v.socket.close();
      }
      return other;
    };
    const first = await ratingsFor([5, 4], "Sales");
    await ratingsFor([1], "Billing");

    const all = await harness.app.inject({ url: "/api/v1/csat", headers: bearer(owner.token) });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ count: 3, average: 3.33 });
    const sales = await harness.app.inject({ url: `/api/v1/csat?inboxId=${first.id}`, headers: bearer(owner.token) });
    expect(sales.json()).toMatchObject({ count: 2, average: 4.5 });
    const future = await harness.app.inject({
      url: `/api/v1/csat?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      headers: bearer(owner.token),
    });
    expect(future.json()).toEqual({ items: [], count: 0, average: null });
    expect((await harness.app.inject({ url: "/api/v1/csat?from=yesterday", headers: bearer(owner.token) })).statusCode).toBe(400);

    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    expect((await harness.app.inject({ url: "/api/v1/csat", headers: bearer(agentToken) })).statusCode).toBe(403);
    // Without inbox membership the agent cannot see a conversation's ratings.
    const hidden = await harness.app.inject({ url: `/api/v1/conversations/${conversationId}/csat`, headers: bearer(agentToken) });
    expect(hidden.statusCode).toBe(404);
    const stranger = await signUp(harness.app);
    expect((await harness.app.inject({ url: "/api/v1/csat", headers: bearer(stranger.token) })).json().count).toBe(0);
  });

  it("mails a transcript of public messages on request of the agent or the visitor, and on resolve", async () => {
    const { owner, visitor, conversationId, agentSocket } = await setUp({
      isCsatEnabled: false,
      channelConfig: { sendTranscriptOnResolve: true },
    });
    try {
      expect((await reply(owner.token, conversationId, "We are on it & checking")).statusCode).toBe(201);
      expect((await reply(owner.token, conversationId, "SECRET internal note", true)).statusCode).toBe(201);

      const noEmail = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/transcript`,
        headers: bearer(owner.token),
        payload: {},
      });
      expect(noEmail.statusCode).toBe(400);

      const [conversation] = await harness.database.db.select().from(conversations).where(eq(conversations.id, conversationId));
      const contactEmail = `carl-${conversationId.slice(0, 8)}@example.com`;
      await harness.database.db
        .update(contacts)
        .set({ email: contactEmail, name: "Carl" })
        .where(eq(contacts.id, conversation?.contactId ?? ""));
      const byAgent = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/transcript`,
        headers: bearer(owner.token),
        payload: {},
      });
      expect(byAgent.statusCode).toBe(202);
      expect(byAgent.json()).toEqual({ email: contactEmail });
      const sent = await mail.waitFor((message) => message.to.includes(contactEmail));
      expect(sent.subject).toContain(`#${conversation?.number}`);
      expect(sent.text).toContain("Carl: My <b>order</b> is late");
      expect(sent.text).toContain("Olga Owner: We are on it & checking");
      expect(sent.text).toMatch(/\[\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\]/);
      expect(sent.text).not.toContain("SECRET");
      expect(sent.html).toContain("My &lt;b&gt;order&lt;/b&gt; is late");
      expect(sent.html).not.toContain("<b>order");
      expect(sent.html).not.toContain("SECRET");

      const visitorAddress = `visitor-${conversationId.slice(0, 8)}@example.com`;
      const byVisitor = await emitWithAck<Ack<{ email: string }>>(visitor.socket, "transcript.request", {
        conversationId,
        email: visitorAddress,
      });
      expect(byVisitor.ok).toBe(true);
      const visitorCopy = await mail.waitFor((message) => message.to.includes(visitorAddress));
      expect(visitorCopy.text).not.toContain("SECRET");
      await settle(1_100); // one transcript request per second per socket
      const badEmail = await emitWithAck<Ack>(visitor.socket, "transcript.request", { conversationId, email: "nope" });
      expect(badEmail.error?.code).toBe("validation_failed");

      // Visitors choose the address: a few requests per conversation and hour, then refused.
      for (let index = 0; index < 2; index++) {
        await harness.database.db.insert(auditLog).values({
          workspaceId: owner.workspace.id,
          actorType: "system",
          actorLabel: "Website visitor",
          action: "conversation.transcript_requested",
          targetType: "conversation",
          targetId: conversationId,
        });
      }
      await settle(1_100);
      const tooMany = await emitWithAck<Ack>(visitor.socket, "transcript.request", { conversationId, email: visitorAddress });
      expect(tooMany.error?.code).toBe("rate_limited");

      const before = mail.messages.filter((message) => message.to.includes(contactEmail)).length;
      await setStatus(owner.token, conversationId, "resolved");
      // Resolving sends one more copy to the contact (the inbox has sendTranscriptOnResolve).
      await mail.waitFor(() => mail.messages.filter((message) => message.to.includes(contactEmail)).length > before);

      const audit = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(owner.token) });
      expect(audit.json().items.map((entry: { action: string }) => entry.action)).toContain("conversation.transcript_sent");

      // Others' conversations are not found, for agents and visitors alike.
      const stranger = await signUp(harness.app);
      const foreign = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/transcript`,
        headers: bearer(stranger.token),
        payload: { email: "x@example.com" },
      });
      expect(foreign.statusCode).toBe(404);
      const other = await setUp();
      const foreignVisitor = await emitWithAck<Ack>(other.visitor.socket, "transcript.request", {
        conversationId,
        email: "x@example.com",
      });
      expect(foreignVisitor.error?.code).toBe("not_found");
      other.visitor.socket.close();
      other.agentSocket.close();
    } finally {
      visitor.socket.close();
      agentSocket.close();
    }
  });
});
