import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { inboxMembers } from "../src/modules/inboxes/inboxes.tables.ts";
import { presenceTiming } from "../src/modules/routing/presence-timing.ts";
import { collect, connectVisitor, createWebsiteInbox, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { addMember, configureInbox, conversationRow, eventually, setPresence, visitorWrites } from "./routing-helpers.ts";

type QueueAck = { ok: boolean; data: { position: number | null; estimatedWaitSeconds: number | null }; error?: { code: string } };
type MessageEvent = { message: { text: string; senderType: string; content: Record<string, unknown> } };

describe("routing: the visitor's queue, away messages and missed conversations", () => {
  let harness: TestApp;
  let baseUrl: string;
  const defaultVisitorGrace = presenceTiming.visitorGoneAfterDisconnectMs;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    presenceTiming.visitorGoneAfterDisconnectMs = defaultVisitorGrace;
    await harness.close();
  });

  const setUp = async () => {
    const owner = await signUp(harness.app);
    const ada = await addMember(harness, owner.workspace.id, "agent", "Ada");
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [ada.userId] });
    return { owner, ada, inbox, token: inbox.websiteToken ?? "" };
  };

  it("tells each waiting visitor their position and an estimate from recent first replies", async () => {
    const { owner, ada, inbox, token } = await setUp();
    const visitors: Awaited<ReturnType<typeof visitorWrites>>[] = [];
    for (const text of ["one", "two", "three"]) visitors.push(await visitorWrites(harness, baseUrl, token, text));
    const status = (index: number) => {
      const visitor = visitors[index];
      if (!visitor) throw new Error("no visitor");
      return emitWithAck<QueueAck>(visitor.socket, "queue.status", { conversationId: visitor.conversationId });
    };
    try {
      expect((await status(0)).data).toEqual({
        conversationId: visitors[0]?.conversationId,
        position: 1,
        estimatedWaitSeconds: null,
      });
      expect((await status(2)).data).toMatchObject({ position: 3, estimatedWaitSeconds: null });

      // Recent history: first replies after 60, 120 and 180 seconds → median 120 s.
      const past = await visitorWrites(harness, baseUrl, token, "earlier");
      past.socket.close();
      for (const [index, seconds] of [60, 120, 180].entries()) {
        const earlier =
          index === 0 ? past.conversationId : (await visitorWrites(harness, baseUrl, token, `old ${index}`)).conversationId;
        await harness.database.db
          .update(conversations)
          .set({
            status: "resolved",
            createdAt: sql`now() - interval '1 day'`,
            firstReplyAt: sql`now() - interval '1 day' + make_interval(secs => ${seconds})`,
          })
          .where(eq(conversations.id, earlier));
      }
      expect((await status(1)).data).toMatchObject({ position: 2, estimatedWaitSeconds: 240 });
      // Two agents of the inbox online share the queue: the estimate halves.
      await setPresence(harness, ada.token, { status: "online" });
      const ben = await addMember(harness, owner.workspace.id, "agent");
      await harness.database.db
        .insert(inboxMembers)
        .values({ inboxId: inbox.id, userId: ben.userId, workspaceId: owner.workspace.id });
      await setPresence(harness, ben.token, { status: "online" });
      expect((await status(1)).data).toMatchObject({ position: 2, estimatedWaitSeconds: 120 });
      await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${visitors[0]?.conversationId}/assign`,
        headers: bearer(owner.token),
        payload: { assigneeId: ada.userId },
      });
      // The first one was taken: the others move up.
      expect((await status(0)).data).toMatchObject({ position: null, estimatedWaitSeconds: null });
      expect((await status(1)).data).toMatchObject({ position: 1, estimatedWaitSeconds: 60 });
      expect((await status(2)).data).toMatchObject({ position: 2, estimatedWaitSeconds: 120 });
    } finally {
      for (const visitor of visitors) visitor.socket.close();
    }
  });

  it("pushes new positions to waiting visitors when the queue moves, without being asked", async () => {
    const { owner, ada, token } = await setUp();
    const first = await visitorWrites(harness, baseUrl, token, "first");
    const second = await visitorWrites(harness, baseUrl, token, "second");
    const third = await visitorWrites(harness, baseUrl, token, "third");
    const visitorsToClose = [first, second, third];
    try {
      const secondHears = collect<{ conversationId: string; position: number | null }>(second.socket, "queue.updated");
      const thirdHears = collect<{ conversationId: string; position: number | null }>(third.socket, "queue.updated");
      const firstHears = collect<{ conversationId: string; position: number | null }>(first.socket, "queue.updated");
      // Joining the end of the queue moves nobody else: only the newcomer hears its place.
      const fourth = await visitorWrites(harness, baseUrl, token, "fourth");
      visitorsToClose.push(fourth);
      const fourthHears = collect<{ conversationId: string; position: number | null }>(fourth.socket, "queue.updated");
      await settle(300);
      expect([firstHears.length, secondHears.length, thirdHears.length]).toEqual([0, 0, 0]);
      const assigned = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${first.conversationId}/assign`,
        headers: bearer(owner.token),
        payload: { assigneeId: ada.userId },
      });
      expect(assigned.statusCode).toBe(200);
      await eventually(
        async () => [firstHears.length, secondHears.length, thirdHears.length],
        (counts) => counts.every((count) => count > 0),
      );
      expect(firstHears.at(-1)).toMatchObject({ conversationId: first.conversationId, position: null });
      expect(secondHears.at(-1)).toMatchObject({ conversationId: second.conversationId, position: 1 });
      expect(thirdHears.at(-1)).toMatchObject({ conversationId: third.conversationId, position: 2 });
      await eventually(
        async () => fourthHears.length,
        (count) => count > 0,
      );
      expect(fourthHears.at(-1)).toMatchObject({ conversationId: fourth.conversationId, position: 3 });
      // Each visitor hears only about their own conversation.
      expect(new Set(secondHears.map((update) => update.conversationId))).toEqual(new Set([second.conversationId]));
    } finally {
      for (const visitor of visitorsToClose) visitor.socket.close();
    }
  });

  it("answers only about the visitor's own conversation and rejects malformed requests", async () => {
    const { token } = await setUp();
    const mine = await visitorWrites(harness, baseUrl, token, "mine");
    const theirs = await visitorWrites(harness, baseUrl, token, "theirs");
    try {
      const foreign = await emitWithAck<QueueAck>(mine.socket, "queue.status", { conversationId: theirs.conversationId });
      expect(foreign).toMatchObject({ ok: false, error: { code: "not_found" } });
      const malformed = await emitWithAck<QueueAck>(mine.socket, "queue.status", { conversationId: "nope" });
      expect(malformed).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      const nothing = await emitWithAck<QueueAck>(mine.socket, "queue.status", null);
      expect(nothing).toMatchObject({ ok: false, error: { code: "validation_failed" } });
    } finally {
      mine.socket.close();
      theirs.socket.close();
    }
  });

  it("sends the away message once per conversation outside business hours and keeps it for email follow-up", async () => {
    const { ada, inbox, token } = await setUp();
    await setPresence(harness, ada.token, { status: "online" });
    // Open no day of the week: always outside business hours.
    await configureInbox(harness, inbox.id, {
      awayMessage: "We are away; we will answer by email.",
      businessHours: { isEnabled: true, timezone: "Europe/Paris", weekly: [], holidays: [] },
    });
    const visitor = await connectVisitor(harness, baseUrl, token);
    const received = collect<MessageEvent>(visitor.socket, "message.created");
    try {
      const first = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(visitor.socket, "message.send", {
        clientId: "a-1",
        text: "Anyone there?",
      });
      await emitWithAck(visitor.socket, "message.send", { clientId: "a-2", text: "Hello?" });
      await eventually(
        async () => received.filter((event) => event.message.senderType === "system"),
        (list) => list.length > 0,
      );
      await settle(200);
      const away = received.filter((event) => event.message.senderType === "system");
      expect(away).toHaveLength(1);
      expect(away[0]?.message).toMatchObject({ text: "We are away; we will answer by email.", content: { event: "away" } });
      const row = await conversationRow(harness, first.data.conversationId);
      expect(row.channelState).toMatchObject({ followUpByEmail: true });
      expect(row.firstReplyAt).toBeNull();
      expect(row.waitingSince).not.toBeNull();
    } finally {
      visitor.socket.close();
    }
  });

  it("sends the away message when nobody is online, and none during open hours with an agent online", async () => {
    const { ada, inbox, token } = await setUp();
    await configureInbox(harness, inbox.id, { awayMessage: "Nobody here right now." });
    const nobody = await visitorWrites(harness, baseUrl, token, "hi");
    nobody.socket.close();
    expect((await conversationRow(harness, nobody.conversationId)).channelState).toMatchObject({
      followUpByEmail: true,
      awayMessageSent: true,
    });

    await setPresence(harness, ada.token, { status: "online" });
    await configureInbox(harness, inbox.id, {
      businessHours: {
        isEnabled: true,
        timezone: "UTC",
        weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, startMinute: 0, endMinute: 1440 })),
        holidays: [],
      },
    });
    const open = await visitorWrites(harness, baseUrl, token, "hi");
    open.socket.close();
    expect((await conversationRow(harness, open.conversationId)).channelState).toEqual({});
  });

  it("marks a conversation missed when the visitor is gone for the grace period before any agent replied", async () => {
    presenceTiming.visitorGoneAfterDisconnectMs = 1_500;
    const { owner, token } = await setUp();
    const isMissedWithin = async (conversationId: string) =>
      (
        await eventually(
          () => conversationRow(harness, conversationId),
          (row) => row.isMissed,
        )
      ).isMissed;
    const leaving = await visitorWrites(harness, baseUrl, token, "bye");
    const browsing = await visitorWrites(harness, baseUrl, token, "still here");
    const answered = await visitorWrites(harness, baseUrl, token, "question");
    const reply = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${answered.conversationId}/messages`,
      headers: bearer(owner.token),
      payload: { clientId: "r-1", text: "Here to help" },
    });
    expect(reply.statusCode).toBeLessThan(300);

    // A second tab keeps the visitor present: nothing is missed while one stays open.
    const secondTab = await connectVisitor(harness, baseUrl, token, leaving.session.visitorToken);
    leaving.socket.close();
    // The next page of the site: the widget's socket closes and another opens a moment later.
    browsing.socket.close();
    await settle(200);
    const nextPage = await connectVisitor(harness, baseUrl, token, browsing.session.visitorToken);
    await settle(2_000);
    expect((await conversationRow(harness, leaving.conversationId)).isMissed).toBe(false);
    expect((await conversationRow(harness, browsing.conversationId)).isMissed).toBe(false);

    secondTab.socket.close();
    await settle(200);
    expect((await conversationRow(harness, leaving.conversationId)).isMissed).toBe(false);
    expect(await isMissedWithin(leaving.conversationId)).toBe(true);

    // Gone first, so their check has run by the time the other visitor's mark is seen.
    answered.socket.close();
    await settle(200);
    nextPage.socket.close();
    expect(await isMissedWithin(browsing.conversationId)).toBe(true);
    await settle(300);
    // An answered conversation is never missed, however long the visitor is gone.
    expect((await conversationRow(harness, answered.conversationId)).isMissed).toBe(false);
  });
});
