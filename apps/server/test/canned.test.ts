import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { attachments } from "../src/modules/messages/messages.tables.ts";
import { connectVisitor, createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("canned responses", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const create = (token: string, payload: Record<string, unknown>) =>
    harness.app.inject({ method: "POST", url: "/api/v1/canned-responses", headers: bearer(token), payload });

  /** A workspace with an owner, an agent of its one inbox, and a conversation a visitor started. */
  const setUp = async () => {
    const owner = await signUp(harness.app, { name: "Olivia Owner" });
    const agent = await signUp(harness.app, { name: "Andy Agent" });
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [agent.user.id] });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const ack = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
      clientId: "v-1",
      text: "Hello",
    });
    visitor.socket.close();
    return { owner, agent, agentToken, inbox, conversationId: ack.data.conversationId };
  };

  it("lets every member keep personal responses and settings managers share them, with unique shortcuts", async () => {
    const { owner, agentToken } = await setUp();
    const shared = await create(owner.token, { scope: "shared", shortcut: "thanks", content: "Thank you for waiting!" });
    expect(shared.statusCode).toBe(201);
    expect(shared.json()).toMatchObject({ scope: "shared", ownerUserId: null, shortcut: "thanks" });

    const personal = await create(agentToken, { shortcut: "hello", content: "Hi, Andy here." });
    expect(personal.statusCode).toBe(201);
    expect(personal.json().scope).toBe("personal");
    // The same shortcut in another scope is fine; in the same scope it conflicts.
    expect((await create(agentToken, { shortcut: "thanks", content: "Mine" })).statusCode).toBe(201);
    const duplicate = await create(agentToken, { shortcut: "hello", content: "Again" });
    expect(duplicate.statusCode).toBe(409);
    expect((await create(owner.token, { scope: "shared", shortcut: "thanks", content: "x" })).statusCode).toBe(409);

    const sharedByAgent = await create(agentToken, { scope: "shared", shortcut: "nope", content: "x" });
    expect(sharedByAgent.statusCode).toBe(403);
    for (const shortcut of ["Has Space", "UPPER", "", "x".repeat(41), "slash/"]) {
      expect((await create(agentToken, { shortcut, content: "x" })).statusCode, shortcut).toBe(400);
    }
    expect((await create(agentToken, { shortcut: "ok", content: "x", extra: true })).statusCode).toBe(400);

    // The agent sees shared ones and their own; the owner does not see the agent's personal ones.
    const agentList = await harness.app.inject({ url: "/api/v1/canned-responses", headers: bearer(agentToken) });
    // By shortcut, the shared one before a personal one of the same name.
    expect(agentList.json().items.map((item: { shortcut: string; scope: string }) => `${item.scope}:${item.shortcut}`)).toEqual([
      "personal:hello",
      "shared:thanks",
      "personal:thanks",
    ]);
    const ownerList = await harness.app.inject({ url: "/api/v1/canned-responses", headers: bearer(owner.token) });
    expect(ownerList.json().items.map((item: { shortcut: string }) => item.shortcut)).toEqual(["thanks"]);

    const searched = await harness.app.inject({ url: "/api/v1/canned-responses?search=andy", headers: bearer(agentToken) });
    expect(searched.json().items.map((item: { shortcut: string }) => item.shortcut)).toEqual(["hello"]);
    const literal = await harness.app.inject({ url: "/api/v1/canned-responses?search=%25", headers: bearer(agentToken) });
    expect(literal.json().items).toEqual([]);

    // Agents cannot change shared responses; owners cannot touch others' personal ones (404).
    const editShared = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/canned-responses/${shared.json().id}`,
      headers: bearer(agentToken),
      payload: { content: "Hacked" },
    });
    expect(editShared.statusCode).toBe(403);
    const deleteOthers = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/canned-responses/${personal.json().id}`,
      headers: bearer(owner.token),
    });
    expect(deleteOthers.statusCode).toBe(404);

    const renamed = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/canned-responses/${personal.json().id}`,
      headers: bearer(agentToken),
      payload: { shortcut: "thanks" },
    });
    expect(renamed.statusCode).toBe(409);
    const edited = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/canned-responses/${personal.json().id}`,
      headers: bearer(agentToken),
      payload: { content: "Hi there" },
    });
    expect(edited.json()).toMatchObject({ shortcut: "hello", content: "Hi there" });
    const deleted = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/canned-responses/${personal.json().id}`,
      headers: bearer(agentToken),
    });
    expect(deleted.statusCode).toBe(204);

    const audit = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(owner.token) });
    expect(audit.json().items.map((entry: { action: string }) => entry.action)).toEqual(
      expect.arrayContaining(["canned_response.created", "canned_response.updated", "canned_response.deleted"]),
    );

    const stranger = await signUp(harness.app);
    const strangerList = await harness.app.inject({ url: "/api/v1/canned-responses", headers: bearer(stranger.token) });
    expect(strangerList.json().items).toEqual([]);
    const strangerEdit = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/canned-responses/${shared.json().id}`,
      headers: bearer(stranger.token),
      payload: { content: "x" },
    });
    expect(strangerEdit.statusCode).toBe(404);
  });

  it("renders variables for a conversation the caller can see, listing the ones without a value", async () => {
    const { owner, agentToken, conversationId } = await setUp();
    const [conversation] = await harness.database.db.select().from(conversations).where(eq(conversations.id, conversationId));
    await harness.database.db
      .update(contacts)
      .set({ name: "Carla <Customer>", email: null, customAttributes: { plan: "Pro", seats: 12 } })
      .where(eq(contacts.id, conversation?.contactId ?? ""));
    const canned = await create(agentToken, {
      shortcut: "greet",
      content:
        "Hi {{contact.name}} ({{ contact.email }}), {{agent.name}} here about #{{conversation.number}}: {{contact.custom.plan}}/{{contact.custom.seats}}/{{contact.custom.region}} {{unknown.thing}}",
    });
    const rendered = await harness.app.inject({
      method: "POST",
      url: `/api/v1/canned-responses/${canned.json().id}/render`,
      headers: bearer(agentToken),
      payload: { conversationId },
    });
    expect(rendered.statusCode).toBe(200);
    expect(rendered.json()).toEqual({
      text: `Hi Carla <Customer> (), Andy Agent here about #${conversation?.number}: Pro/12/ `,
      missing: ["contact.email", "contact.custom.region", "unknown.thing"],
      attachmentIds: [],
    });

    // A conversation of another workspace, or one the caller cannot see, is not found.
    const other = await setUp();
    const foreign = await harness.app.inject({
      method: "POST",
      url: `/api/v1/canned-responses/${canned.json().id}/render`,
      headers: bearer(agentToken),
      payload: { conversationId: other.conversationId },
    });
    expect(foreign.statusCode).toBe(404);
    const notMine = await harness.app.inject({
      method: "POST",
      url: `/api/v1/canned-responses/${canned.json().id}/render`,
      headers: bearer(owner.token),
      payload: { conversationId },
    });
    expect(notMine.statusCode).toBe(404);
  });

  it("references attachments of the workspace only", async () => {
    const { owner, agentToken } = await setUp();
    const other = await signUp(harness.app);
    const [mine, theirs] = await harness.database.db
      .insert(attachments)
      .values([
        {
          workspaceId: owner.workspace.id,
          uploadedByType: "agent",
          storageKey: "k1",
          fileName: "price-list.pdf",
          contentType: "application/pdf",
          byteSize: 10,
        },
        {
          workspaceId: other.workspace.id,
          uploadedByType: "agent",
          storageKey: "k2",
          fileName: "x.pdf",
          contentType: "application/pdf",
          byteSize: 10,
        },
      ])
      .returning();
    const withFile = await create(agentToken, { shortcut: "prices", content: "Here are our prices.", attachmentIds: [mine?.id] });
    expect(withFile.statusCode).toBe(201);
    expect(withFile.json().attachmentIds).toEqual([mine?.id]);
    const foreignFile = await create(agentToken, { shortcut: "steal", content: "x", attachmentIds: [theirs?.id] });
    expect(foreignFile.statusCode).toBe(400);
  });
});
