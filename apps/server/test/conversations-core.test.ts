import { TransactionRollbackError } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConversation, resolveContact } from "../src/modules/conversations/start-conversation.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

type MessageDto = { id: string; seq: number; text: string; isPrivate: boolean; conversationId: string; senderType: string };

describe("conversations: the visitor-to-agent round trip", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const setUp = async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    return { owner, inbox, agentSocket, visitor };
  };

  type SendAck = { ok: boolean; data: { conversationId: string } };
  const numberOf = async (token: string, conversationId: string): Promise<number> => {
    const response = await harness.app.inject({ url: `/api/v1/conversations/${conversationId}`, headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    return response.json().number;
  };

  it("numbers a workspace's new conversations without one creation waiting for another's commit", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const visitors = [];
    try {
      // A creation whose transaction stays open, as a first message's does while its handlers run.
      let rollBack = () => {};
      const heldNumber = await new Promise<number>((numbered, failed) => {
        harness.database.db
          .transaction(async (tx) => {
            const contact = await resolveContact(tx, { workspaceId: owner.workspace.id, inboxId: inbox.id, sourceId: "held" });
            const { conversation } = await createConversation(tx, {
              workspaceId: owner.workspace.id,
              inboxId: inbox.id,
              contactId: contact.contactId,
              contactIdentityId: contact.contactIdentityId,
            });
            numbered(conversation.number);
            await new Promise<void>((release) => {
              rollBack = release;
            });
            tx.rollback();
          })
          .catch((error: unknown) => {
            if (!(error instanceof TransactionRollbackError)) failed(error);
          });
      });
      expect(heldNumber).toBe(1);

      try {
        // Sent while that transaction is open: it is stored at once (the ack's timeout is 5 s).
        const first = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
        visitors.push(first);
        const ack = await emitWithAck<SendAck>(first.socket, "message.send", { clientId: "n-1", text: "Hello" });
        expect(ack.ok).toBe(true);
        expect(await numberOf(owner.token, ack.data.conversationId)).toBe(2);
      } finally {
        rollBack();
      }

      // Twenty first messages at once: twenty distinct numbers, after the rolled-back #1's gap.
      const burst = await Promise.all(
        Array.from({ length: 20 }, () => connectVisitor(harness, baseUrl, inbox.websiteToken ?? "")),
      );
      visitors.push(...burst);
      const acks = await Promise.all(
        burst.map((visitor, index) =>
          emitWithAck<SendAck>(visitor.socket, "message.send", { clientId: `b-${index}`, text: "Hi" }),
        ),
      );
      const numbers = await Promise.all(acks.map((ack) => numberOf(owner.token, ack.data.conversationId)));
      expect(numbers.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 3));

      // Another workspace counts from its own #1.
      const other = await signUp(harness.app);
      const otherInbox = await createWebsiteInbox(harness, { workspaceId: other.workspace.id });
      const stranger = await connectVisitor(harness, baseUrl, otherInbox.websiteToken ?? "");
      visitors.push(stranger);
      const strangerAck = await emitWithAck<SendAck>(stranger.socket, "message.send", { clientId: "o-1", text: "Hey" });
      expect(await numberOf(other.token, strangerAck.data.conversationId)).toBe(1);
    } finally {
      for (const visitor of visitors) visitor.socket.close();
    }
  });

  it("delivers a visitor's first message to agents as a new conversation, once per clientId", async () => {
    const { owner, agentSocket, visitor } = await setUp();
    try {
      const created = nextEvent<{ conversation: { id: string; number: number; status: string } }>(
        agentSocket,
        "conversation.created",
      );
      const arrived = nextEvent<{ message: MessageDto }>(agentSocket, "message.created");
      const ack = await emitWithAck<{ ok: true; data: { message: MessageDto; conversationId: string } }>(
        visitor.socket,
        "message.send",
        {
          clientId: "v-1",
          text: "Hello, is my order shipped?",
        },
      );
      expect(ack.ok).toBe(true);
      expect((await created).conversation).toMatchObject({ id: ack.data.conversationId, number: 1, status: "pending" });
      expect((await arrived).message).toMatchObject({
        id: ack.data.message.id,
        text: "Hello, is my order shipped?",
        senderType: "contact",
      });

      const laterMessages = collect<{ message: MessageDto }>(agentSocket, "message.created");
      const again = await emitWithAck<{ ok: true; data: { message: MessageDto } }>(visitor.socket, "message.send", {
        clientId: "v-1",
        text: "Hello, is my order shipped?",
      });
      expect(again.data.message.id).toBe(ack.data.message.id);
      await settle();
      expect(laterMessages).toEqual([]);

      const history = await harness.app.inject({
        url: `/api/v1/conversations/${ack.data.conversationId}/messages`,
        headers: bearer(owner.token),
      });
      expect(history.json().items.map((message: MessageDto) => message.text)).toEqual(["Hello, is my order shipped?"]);
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });

  it("sends agent replies to the visitor and keeps private notes among agents", async () => {
    const { owner, agentSocket, visitor } = await setUp();
    try {
      const first = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
        clientId: "v-1",
        text: "Hi",
      });
      const conversationId = first.data.conversationId;
      // The agent's copy of the visitor's message may still be on its way; take it before collecting.
      expect((await nextEvent<{ message: MessageDto }>(agentSocket, "message.created")).message.text).toBe("Hi");
      const visitorReceived = collect<{ message: MessageDto }>(visitor.socket, "message.created");
      const agentReceived = collect<{ message: MessageDto }>(agentSocket, "message.created");

      const note = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: bearer(owner.token),
        payload: { clientId: "a-note", text: "Customer is a VIP", isPrivate: true },
      });
      expect(note.statusCode).toBe(201);
      const reply = await emitWithAck<{ ok: true; data: MessageDto }>(agentSocket, "message.send", {
        conversationId,
        clientId: "a-reply",
        text: "It ships today!",
      });
      expect(reply.ok).toBe(true);
      await settle(300);
      expect(visitorReceived.map((event) => event.message.text)).toEqual(["It ships today!"]);
      // The reply also made the unassigned conversation the owner's: agents read that line too.
      expect(agentReceived.map((event) => event.message.text)).toEqual([
        "Customer is a VIP",
        "It ships today!",
        expect.stringMatching(/ took the conversation by replying$/),
      ]);

      const repeated = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: bearer(owner.token),
        payload: { clientId: "a-note", text: "Customer is a VIP", isPrivate: true },
      });
      expect(repeated.statusCode).toBe(200);
      expect(repeated.json().id).toBe(note.json().id);

      const conversation = await harness.app.inject({
        url: `/api/v1/conversations/${conversationId}`,
        headers: bearer(owner.token),
      });
      // The list preview is the latest exchanged message: the reply, not the later-stored note.
      expect(conversation.json()).toMatchObject({
        status: "open",
        waitingSince: null,
        lastMessage: { text: "It ships today!", senderType: "agent", contentType: "text" },
      });
      await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: bearer(owner.token),
        payload: { clientId: "a-note-2", text: "Second note", isPrivate: true },
      });
      const list = await harness.app.inject({ url: "/api/v1/conversations", headers: bearer(owner.token) });
      const listed = list.json().items.find((item: { id: string }) => item.id === conversationId);
      expect(listed.lastMessage.text).toBe("It ships today!");
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });

  it("gives a reconnecting visitor exactly the public messages it missed, in order", async () => {
    const { inbox, agentSocket, visitor } = await setUp();
    const first = await emitWithAck<{ ok: true; data: { conversationId: string; message: MessageDto } }>(
      visitor.socket,
      "message.send",
      {
        clientId: "v-1",
        text: "Are you there?",
      },
    );
    const { conversationId } = first.data;
    let lastSeen = first.data.message.seq;
    visitor.socket.on("message.created", (event: { message: MessageDto }) => {
      lastSeen = Math.max(lastSeen, event.message.seq);
    });
    const send = (clientId: string, text: string, isPrivate = false) =>
      emitWithAck(agentSocket, "message.send", { conversationId, clientId, text, isPrivate });
    await send("a-1", "Yes, one moment");
    await settle(200);
    // The visitor drops mid-conversation; the agent keeps writing.
    visitor.socket.close();
    await send("a-2", "Checking your order");
    await send("a-3", "Internal: refund?", true);
    await send("a-4", "Found it: shipped yesterday");
    const returning = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "", visitor.session.visitorToken);
    try {
      expect(returning.session.conversation).toMatchObject({ id: conversationId });
      const resync = await emitWithAck<{ ok: true; data: { items: MessageDto[]; hasMore: boolean } }>(
        returning.socket,
        "conversation.resync",
        {
          conversationId,
          afterSeq: lastSeen,
        },
      );
      expect(resync.ok).toBe(true);
      expect(resync.data.items.map((message) => message.text)).toEqual(["Checking your order", "Found it: shipped yesterday"]);
      expect(resync.data.hasMore).toBe(false);

      const agentResync = await emitWithAck<{ ok: true; data: { messages: MessageDto[] } }>(agentSocket, "conversation.resync", {
        conversationId,
        afterSeq: lastSeen,
      });
      expect(agentResync.data.messages.map((message) => message.text)).toEqual([
        // The agent's first reply took the unassigned conversation; the visitor never sees that line.
        expect.stringMatching(/ took the conversation by replying$/),
        "Checking your order",
        "Internal: refund?",
        "Found it: shipped yesterday",
      ]);
    } finally {
      agentSocket.close();
      returning.socket.close();
    }
  });

  it("answers malformed and unauthorised socket events with error acks and keeps serving", async () => {
    const { agentSocket, visitor } = await setUp();
    try {
      const malformed = await emitWithAck<{ ok: false; error: { code: string } }>(agentSocket, "message.send", {
        conversationId: "nope",
      });
      expect(malformed).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      const notObject = await emitWithAck<{ ok: false; error: { code: string } }>(
        visitor.socket,
        "message.send",
        "just a string",
      );
      expect(notObject).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      const unknownConversation = await emitWithAck<{ ok: false; error: { code: string } }>(agentSocket, "message.send", {
        conversationId: "00000000-0000-4000-8000-000000000000",
        clientId: "x",
        text: "hi",
      });
      expect(unknownConversation).toMatchObject({ ok: false, error: { code: "not_found" } });
      const strangersConversation = await emitWithAck<{ ok: false; error: { code: string } }>(
        visitor.socket,
        "conversation.resync",
        {
          conversationId: "00000000-0000-4000-8000-000000000000",
          afterSeq: 0,
        },
      );
      expect(strangersConversation).toMatchObject({ ok: false, error: { code: "not_found" } });
      const flood = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          emitWithAck<{ ok: boolean; error?: { code: string } }>(visitor.socket, "message.send", {
            clientId: `f-${index}`,
            text: "spam",
          }),
        ),
      );
      expect(flood.filter((answer) => answer.error?.code === "rate_limited").length).toBeGreaterThan(0);
      const stillWorks = await emitWithAck<{ ok: boolean }>(agentSocket, "message.send", { conversationId: "not-a-uuid" });
      expect(stillWorks.ok).toBe(false);
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });

  it("refuses forged visitor tokens and messages from blocked contacts", async () => {
    const { agentSocket, visitor, inbox } = await setUp();
    agentSocket.close();
    try {
      await expect(connectVisitor(harness, baseUrl, "wt_unknown")).rejects.toThrow(/widget session failed/);
      const forged = `${visitor.session.visitorToken.slice(0, -3)}abc`;
      const forgedSession = await harness.app.inject({
        method: "POST",
        url: "/api/v1/widget/sessions",
        payload: { inboxToken: inbox.websiteToken, visitorToken: forged },
      });
      expect(forgedSession.json().visitorId).not.toBe(visitor.session.visitorId);

      const first = await emitWithAck<{ ok: true; data: { message: { senderId: string } } }>(visitor.socket, "message.send", {
        clientId: "b-1",
        text: "hello",
      });
      await harness.database.pool.query("update contacts set blocked_at = now() where id = $1", [first.data.message.senderId]);
      const refused = await emitWithAck<{ ok: false; error: { code: string } }>(visitor.socket, "message.send", {
        clientId: "b-2",
        text: "again",
      });
      expect(refused).toMatchObject({ ok: false, error: { code: "forbidden" } });
    } finally {
      visitor.socket.close();
    }
  });
});

describe("conversations: who may see them", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("shows an agent only the conversations of their inboxes, and other workspaces never", async () => {
    const owner = await signUp(harness.app);
    const agent = await signUp(harness.app);
    const stranger = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const theirs = await createWebsiteInbox(harness, {
      workspaceId: owner.workspace.id,
      name: "Agent's",
      memberUserIds: [agent.user.id],
    });
    const notTheirs = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, name: "Other" });

    const agentSocket = await connectAgent(baseUrl, { token: agentToken });
    const agentEvents = collect<{ message: { conversationId: string } }>(agentSocket, "message.created");
    const visitorA = await connectVisitor(harness, baseUrl, theirs.websiteToken ?? "");
    const visitorB = await connectVisitor(harness, baseUrl, notTheirs.websiteToken ?? "");
    try {
      const inTheirs = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitorA.socket, "message.send", {
        clientId: "1",
        text: "A",
      });
      const inOther = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitorB.socket, "message.send", {
        clientId: "1",
        text: "B",
      });
      await settle(300);
      expect(agentEvents.map((event) => event.message.conversationId)).toEqual([inTheirs.data.conversationId]);

      const get = (token: string, id: string) =>
        harness.app.inject({ url: `/api/v1/conversations/${id}`, headers: bearer(token) });
      expect((await get(agentToken, inTheirs.data.conversationId)).statusCode).toBe(200);
      expect((await get(agentToken, inOther.data.conversationId)).statusCode).toBe(404);
      expect((await get(stranger.token, inTheirs.data.conversationId)).statusCode).toBe(404);
      const strangerReply = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${inTheirs.data.conversationId}/messages`,
        headers: bearer(stranger.token),
        payload: { clientId: "s", text: "hijack" },
      });
      expect(strangerReply.statusCode).toBe(404);
      expect((await get(owner.token, inOther.data.conversationId)).statusCode).toBe(200);
    } finally {
      agentSocket.close();
      visitorA.socket.close();
      visitorB.socket.close();
    }
  });

  it("pages history before, after and around a message", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    try {
      const first = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
        clientId: "0",
        text: "m0",
      });
      const id = first.data.conversationId;
      for (let index = 1; index < 10; index++) {
        await harness.app.inject({
          method: "POST",
          url: `/api/v1/conversations/${id}/messages`,
          headers: bearer(owner.token),
          payload: { clientId: `m${index}`, text: `m${index}` },
        });
      }
      const page = async (query: string) =>
        (await harness.app.inject({ url: `/api/v1/conversations/${id}/messages?${query}`, headers: bearer(owner.token) })).json();
      const newest = await page("limit=3");
      expect(newest.items.map((message: MessageDto) => message.text)).toEqual(["m7", "m8", "m9"]);
      expect(newest).toMatchObject({ hasOlder: true, hasNewer: false });
      const older = await page(`limit=3&before=${newest.items[0].seq}`);
      expect(older.items.map((message: MessageDto) => message.text)).toEqual(["m4", "m5", "m6"]);
      expect(older).toMatchObject({ hasOlder: true, hasNewer: true });
      const all = await page("limit=100");
      const m5 = all.items.find((message: MessageDto) => message.text === "m5");
      const around = await page(`limit=4&around=${m5.id}`);
      expect(around.items.map((message: MessageDto) => message.text)).toEqual(["m3", "m4", "m5", "m6"]);
      const after = await page(`limit=2&after=${m5.seq}`);
      expect(after.items.map((message: MessageDto) => message.text)).toEqual(["m6", "m7"]);
      expect(after).toMatchObject({ hasOlder: true, hasNewer: true });
      expect(
        (
          await harness.app.inject({
            url: `/api/v1/conversations/${id}/messages?around=00000000-0000-4000-8000-000000000000`,
            headers: bearer(owner.token),
          })
        ).statusCode,
      ).toBe(404);
    } finally {
      visitor.socket.close();
    }
  });
});

describe("visitors online", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("counts distinct visitors per website inbox, live to its agents and on request", async () => {
    const owner = await signUp(harness.app);
    const outsider = await signUp(harness.app);
    const outsiderToken = await joinWorkspace(harness, {
      userId: outsider.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    const counts = collect<{ inboxId: string; visitors: number }>(agentSocket, "visitors.online");
    const first = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    // The same visitor in a second tab is still one visitor.
    const secondTab = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "", first.session.visitorToken);
    const other = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    try {
      await settle(300);
      expect(counts.at(-1)).toEqual({ inboxId: inbox.id, visitors: 2 });
      const online = await harness.app.inject({ url: "/api/v1/visitors/online", headers: bearer(owner.token) });
      expect(online.json()).toEqual({
        items: [{ inboxId: inbox.id, name: "Website", visitors: 2 }],
        total: 2,
        visitors: [expect.objectContaining({ inboxId: inbox.id }), expect.objectContaining({ inboxId: inbox.id })],
      });
      // An agent who does not work this inbox sees no count for it.
      const hidden = await harness.app.inject({ url: "/api/v1/visitors/online", headers: bearer(outsiderToken) });
      expect(hidden.json()).toEqual({ items: [], total: 0, visitors: [] });

      other.socket.close();
      await settle(300);
      expect(counts.at(-1)).toEqual({ inboxId: inbox.id, visitors: 1 });
      first.socket.close();
      await settle(300);
      expect(counts.at(-1)).toEqual({ inboxId: inbox.id, visitors: 1 });
      secondTab.socket.close();
      await settle(300);
      expect(counts.at(-1)).toEqual({ inboxId: inbox.id, visitors: 0 });
    } finally {
      agentSocket.close();
      for (const visitor of [first, secondTab, other]) visitor.socket.close();
    }
  });
});
