import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, emitWithAck, settle } from "./conversation-helpers.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

type InternalMessage = { id: string; seq: number; channelId: string; senderId: string; text: string };
type Chat = {
  id: string;
  kind: string;
  title: string;
  memberUserIds: string[];
  unreadCount: number;
  lastMessage: InternalMessage | null;
};

describe("internal conversations between members", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  /** An owner and two agents (Ada, Ben) of one workspace. */
  const setUp = async () => {
    const owner = await signUp(harness.app, { name: "Olive Owner" });
    const ada = await signUp(harness.app, { name: "Ada" });
    const ben = await signUp(harness.app, { name: "Ben" });
    const adaToken = await joinWorkspace(harness, { userId: ada.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const benToken = await joinWorkspace(harness, { userId: ben.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    return { owner, ada, ben, adaToken, benToken };
  };

  const post = (token: string, url: string, payload: Record<string, unknown>) =>
    harness.app.inject({ method: "POST", url: `/api/v1${url}`, headers: bearer(token), payload });
  const get = (token: string, url: string) => harness.app.inject({ url: `/api/v1${url}`, headers: bearer(token) });

  it("keeps one direct chat per pair, with idempotent sends, unread counts and read marks", async () => {
    const { owner, ada, ben, adaToken, benToken } = await setUp();
    const opened = await post(owner.token, "/internal-chats/direct", { userId: ada.user.id });
    expect(opened.statusCode).toBe(201);
    const chat: Chat = opened.json();
    expect(chat).toMatchObject({ kind: "direct", title: "Ada", unreadCount: 0, lastMessage: null });
    expect(chat.memberUserIds.sort()).toEqual([owner.user.id, ada.user.id].sort());
    const reopened = await post(adaToken, "/internal-chats/direct", { userId: owner.user.id });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({ id: chat.id, title: "Olive Owner" });
    // Both sides opening at once still make one chat.
    const concurrent = await Promise.all([
      post(benToken, "/internal-chats/direct", { userId: ada.user.id }),
      post(adaToken, "/internal-chats/direct", { userId: ben.user.id }),
    ]);
    expect(concurrent.map((response) => response.statusCode).sort()).toEqual([200, 201]);
    expect(concurrent[0]?.json().id).toBe(concurrent[1]?.json().id);

    expect((await post(owner.token, "/internal-chats/direct", { userId: owner.user.id })).statusCode).toBe(400);

    const first = await post(owner.token, `/internal-chats/${chat.id}/messages`, { clientId: "m-1", text: "Can you take #12?" });
    expect(first.statusCode).toBe(201);
    const repeat = await post(owner.token, `/internal-chats/${chat.id}/messages`, { clientId: "m-1", text: "Can you take #12?" });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json().id).toBe(first.json().id);
    await post(owner.token, `/internal-chats/${chat.id}/messages`, { clientId: "m-2", text: "It is urgent" });
    expect((await post(owner.token, `/internal-chats/${chat.id}/messages`, { clientId: "m-3", text: "   " })).statusCode).toBe(
      400,
    );

    const adaChats: Chat[] = (await get(adaToken, "/internal-chats")).json().items;
    const adaView = adaChats.find((item) => item.id === chat.id);
    expect(adaView).toMatchObject({ unreadCount: 2, lastMessage: { text: "It is urgent", senderId: owner.user.id } });
    const ownerView = (await get(owner.token, "/internal-chats")).json().items.find((item: Chat) => item.id === chat.id);
    expect(ownerView.unreadCount).toBe(0);

    const read = await post(adaToken, `/internal-chats/${chat.id}/read`, { upToSeq: first.json().seq });
    expect(read.json()).toMatchObject({ lastReadSeq: first.json().seq, unreadCount: 1 });
    const beyond = await post(adaToken, `/internal-chats/${chat.id}/read`, { upToSeq: 999_999_999 });
    expect(beyond.json().unreadCount).toBe(0);
    expect(beyond.json().lastReadSeq).toBeLessThan(999_999_999);
    const backwards = await post(adaToken, `/internal-chats/${chat.id}/read`, { upToSeq: 0 });
    expect(backwards.json().lastReadSeq).toBe(beyond.json().lastReadSeq);

    const page = await get(adaToken, `/internal-chats/${chat.id}/messages?limit=1`);
    expect(page.json()).toMatchObject({ hasOlder: true, items: [{ text: "It is urgent" }] });
    const older = await get(adaToken, `/internal-chats/${chat.id}/messages?before=${page.json().items[0].seq}`);
    expect(older.json()).toMatchObject({ hasOlder: false, items: [{ text: "Can you take #12?" }] });

    // Ben is not in this chat; a stranger is not in this workspace: both see nothing.
    const stranger = await signUp(harness.app);
    for (const token of [benToken, stranger.token]) {
      expect((await get(token, `/internal-chats/${chat.id}/messages`)).statusCode).toBe(404);
      expect((await post(token, `/internal-chats/${chat.id}/messages`, { clientId: "x", text: "hi" })).statusCode).toBe(404);
      expect((await post(token, `/internal-chats/${chat.id}/read`, { upToSeq: 1 })).statusCode).toBe(404);
    }
    expect((await get(benToken, "/internal-chats")).json().items.map((item: Chat) => item.id)).not.toContain(chat.id);
    expect((await post(stranger.token, "/internal-chats/direct", { userId: ada.user.id })).statusCode).toBe(404);
  });

  it("opens team chats to the team's members only", async () => {
    const { owner, ada, ben, adaToken, benToken } = await setUp();
    const team = await post(owner.token, "/teams", { name: "Billing", memberIds: [ada.user.id, ben.user.id] });
    expect(team.statusCode).toBe(201);
    const teamId = team.json().id;

    const opened = await post(adaToken, "/internal-chats/team", { teamId });
    expect(opened.statusCode).toBe(201);
    expect(opened.json()).toMatchObject({ kind: "team", title: "Billing" });
    expect(opened.json().memberUserIds.sort()).toEqual([ada.user.id, ben.user.id].sort());
    expect((await post(benToken, "/internal-chats/team", { teamId })).json().id).toBe(opened.json().id);
    // The owner is not in the team.
    expect((await post(owner.token, "/internal-chats/team", { teamId })).statusCode).toBe(404);
    expect((await get(owner.token, `/internal-chats/${opened.json().id}/messages`)).statusCode).toBe(404);

    await post(adaToken, `/internal-chats/${opened.json().id}/messages`, { clientId: "t-1", text: "Refund policy changed" });
    const benView = (await get(benToken, "/internal-chats")).json().items.find((item: Chat) => item.id === opened.json().id);
    expect(benView).toMatchObject({ unreadCount: 1, lastMessage: { text: "Refund policy changed" } });

    // Leaving the team ends access to its chat.
    const left = await harness.app.inject({
      method: "PUT",
      url: `/api/v1/teams/${teamId}/members`,
      headers: bearer(owner.token),
      payload: { userIds: [ada.user.id] },
    });
    expect(left.statusCode).toBe(200);
    expect((await get(benToken, `/internal-chats/${opened.json().id}/messages`)).statusCode).toBe(404);
  });

  it("delivers messages sent over the socket to the chat's members in real time, and to no one else", async () => {
    const { owner, ada, adaToken, benToken } = await setUp();
    const chat: Chat = (await post(owner.token, "/internal-chats/direct", { userId: ada.user.id })).json();
    const ownerSocket = await connectAgent(baseUrl, { token: owner.token });
    const adaSocket = await connectAgent(baseUrl, { token: adaToken });
    const benSocket = await connectAgent(baseUrl, { token: benToken });
    try {
      const benReceived = collect(benSocket, "internal.message");
      const arrived = nextEvent<{ message: InternalMessage }>(adaSocket, "internal.message");
      const ack = await emitWithAck<{ ok: boolean; data: { message: InternalMessage; isDuplicate: boolean } }>(
        ownerSocket,
        "internal.send",
        { channelId: chat.id, clientId: "s-1", text: "Lunch at 1?" },
      );
      expect(ack.ok).toBe(true);
      expect((await arrived).message).toMatchObject({ id: ack.data.message.id, text: "Lunch at 1?", senderId: owner.user.id });

      const adaLater = collect(adaSocket, "internal.message");
      const again = await emitWithAck<{ ok: boolean; data: { message: InternalMessage; isDuplicate: boolean } }>(
        ownerSocket,
        "internal.send",
        { channelId: chat.id, clientId: "s-1", text: "Lunch at 1?" },
      );
      expect(again.data).toMatchObject({ isDuplicate: true, message: { id: ack.data.message.id } });

      const intruder = await emitWithAck<{ ok: boolean; error?: { code: string } }>(benSocket, "internal.send", {
        channelId: chat.id,
        clientId: "b-1",
        text: "let me in",
      });
      expect(intruder.error?.code).toBe("not_found");
      const malformed = await emitWithAck<{ ok: boolean; error?: { code: string } }>(ownerSocket, "internal.send", {
        channelId: "nope",
      });
      expect(malformed.error?.code).toBe("validation_failed");
      await settle();
      expect(benReceived).toEqual([]);
      expect(adaLater).toEqual([]);

      // A message written through the HTTP API reaches the members' sockets the same way.
      const overHttp = nextEvent<{ message: InternalMessage }>(adaSocket, "internal.message");
      const posted = await post(owner.token, `/internal-chats/${chat.id}/messages`, { clientId: "h-1", text: "Or at 2?" });
      expect(posted.statusCode).toBe(201);
      expect((await overHttp).message).toMatchObject({ id: posted.json().id, text: "Or at 2?" });
      await settle();
      expect(benReceived).toEqual([]);
    } finally {
      ownerSocket.close();
      adaSocket.close();
      benSocket.close();
    }
  });
});
