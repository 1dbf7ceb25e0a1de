import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { inboxMembers } from "../src/modules/inboxes/inboxes.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { connectVisitor, createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

type Hit = {
  messageId: string;
  isPrivate: boolean;
  senderType: string;
  highlight: string;
  conversation: { id: string; number: number };
  inbox: { id: string; name: string };
  contact: { id: string; name: string | null };
};

describe("search", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const visitorSays = async (websiteToken: string, text: string) => {
    const visitor = await connectVisitor(harness, baseUrl, websiteToken);
    const ack = await emitWithAck<{ ok: true; data: { conversationId: string; message: { id: string } } }>(
      visitor.socket,
      "message.send",
      { clientId: "v", text },
    );
    visitor.socket.close();
    return ack.data;
  };

  const setUp = async () => {
    const owner = await signUp(harness.app);
    const agent = await signUp(harness.app);
    const sales = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, name: "Sales" });
    const support = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, name: "Support" });
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    await harness.database.db
      .insert(inboxMembers)
      .values({ inboxId: support.id, userId: agent.user.id, workspaceId: owner.workspace.id });
    const salesHit = await visitorSays(sales.websiteToken ?? "", "Is the parcel price negotiable?");
    const supportHit = await visitorSays(support.websiteToken ?? "", "My parcel is late & I'm <angry>");
    const note = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${supportHit.conversationId}/messages`,
      headers: bearer(owner.token),
      payload: { clientId: "note", text: "Refund the parcel if it is lost", isPrivate: true },
    });
    const reply = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${supportHit.conversationId}/messages`,
      headers: bearer(owner.token),
      payload: { clientId: "reply", text: "Sorry, your parcel ships tomorrow" },
    });
    const [supportConversation] = await harness.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, supportHit.conversationId));
    await harness.database.db
      .update(contacts)
      .set({ name: "Parcel Pete", email: "pete@example.com" })
      .where(eq(contacts.id, supportConversation?.contactId ?? ""));
    // Spread creation times so "newest first" is unambiguous.
    const order = [salesHit.message.id, supportHit.message.id, note.json().id, reply.json().id];
    for (const [index, id] of order.entries()) {
      await harness.database.db
        .update(messages)
        .set({ createdAt: new Date(Date.UTC(2026, 0, 1 + index)) })
        .where(eq(messages.id, id));
    }
    const run = (token: string, query: string) => harness.app.inject({ url: `/api/v1/search?${query}`, headers: bearer(token) });
    return { owner, agentToken, sales, support, ids: order, supportConversation, run };
  };

  it("finds messages newest first with escaped <mark> highlights, private notes included, only where the caller may look", async () => {
    const { owner, agentToken, support, ids, supportConversation, run } = await setUp();
    const all = await run(owner.token, "q=parcel&type=messages");
    expect(all.statusCode).toBe(200);
    const hits = all.json().messages as Hit[];
    expect(hits.map((hit) => hit.messageId)).toEqual([...ids].reverse());
    const angry = hits.find((hit) => hit.messageId === ids[1]);
    expect(angry?.highlight).toBe("My <mark>parcel</mark> is late &amp; I&#39;m &lt;angry&gt;");
    expect(angry).toMatchObject({
      senderType: "contact",
      conversation: { id: supportConversation?.id, number: supportConversation?.number },
      inbox: { id: support.id, name: "Support" },
      contact: { name: "Parcel Pete" },
    });
    expect(hits.find((hit) => hit.messageId === ids[2])?.isPrivate).toBe(true);

    // The agent works Support only: Sales stays hidden.
    const agentView = await run(agentToken, "q=parcel&type=messages");
    expect((agentView.json().messages as Hit[]).map((hit) => hit.messageId)).toEqual([ids[3], ids[2], ids[1]]);

    // Another workspace finds nothing of this one.
    const stranger = await signUp(harness.app);
    expect((await run(stranger.token, "q=parcel")).json()).toEqual({ messages: [], contacts: [], nextCursor: null });

    // Deleted messages drop out.
    await harness.app.inject({ method: "DELETE", url: `/api/v1/messages/${ids[3]}`, headers: bearer(owner.token) });
    expect((await run(owner.token, "q=ships&type=messages")).json().messages).toEqual([]);
  });

  it("filters by inbox, sender and dates, pages with a cursor, and searches contacts", async () => {
    const { owner, sales, ids, run } = await setUp();
    const inSales = await run(owner.token, `q=parcel&type=messages&inboxId=${sales.id}`);
    expect((inSales.json().messages as Hit[]).map((hit) => hit.messageId)).toEqual([ids[0]]);
    const fromAgents = await run(owner.token, "q=parcel&type=messages&sender=agent");
    expect((fromAgents.json().messages as Hit[]).map((hit) => hit.messageId)).toEqual([ids[3], ids[2]]);
    const fromContacts = await run(owner.token, "q=parcel&type=messages&sender=contact");
    expect((fromContacts.json().messages as Hit[]).map((hit) => hit.messageId)).toEqual([ids[1], ids[0]]);
    const window = await run(
      owner.token,
      `q=parcel&type=messages&from=${encodeURIComponent("2026-01-02T00:00:00Z")}&to=${encodeURIComponent("2026-01-04T00:00:00Z")}`,
    );
    expect((window.json().messages as Hit[]).map((hit) => hit.messageId)).toEqual([ids[2], ids[1]]);
    const phrase = await run(owner.token, `q=${encodeURIComponent('"parcel ships" -lost')}&type=messages`);
    expect((phrase.json().messages as Hit[]).map((hit) => hit.messageId)).toEqual([ids[3]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response = await run(owner.token, `q=parcel&type=messages&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      const body = response.json() as { messages: Hit[]; nextCursor: string | null };
      seen.push(...body.messages.map((hit) => hit.messageId));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...ids].reverse());

    const people = await run(owner.token, "q=pete&type=contacts");
    expect(people.json().contacts).toEqual([expect.objectContaining({ name: "Parcel Pete", email: "pete@example.com" })]);
    const both = await run(owner.token, "q=parcel");
    expect(both.json().contacts.map((contact: { name: string }) => contact.name)).toEqual(["Parcel Pete"]);
    expect(both.json().messages).toHaveLength(4);
  });

  it("refuses empty, overlong and malformed queries, and uses the GIN indexes' expressions", async () => {
    const { owner, run } = await setUp();
    for (const query of [
      "q=",
      "q=%20%20",
      `q=${"a".repeat(201)}`,
      "q=x&type=people",
      "q=x&cursor=bogus",
      "q=x&from=yesterday",
      "q=x&limit=500",
    ]) {
      const response = await run(owner.token, query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
    }
    expect((await harness.app.inject({ url: "/api/v1/search?q=x" })).statusCode).toBe(401);
    const agentOnly = await signUp(harness.app);
    const limited = await joinWorkspace(harness, {
      userId: agentOnly.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    expect((await run(limited, "q=parcel&type=messages")).json().messages).toEqual([]);

    // With sequential scans off, the planner can only answer through an index on the same expression.
    const plan = await harness.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const messagesPlan = await tx.execute(
        sql`explain select id from messages where to_tsvector('simple', ${messages.text}) @@ websearch_to_tsquery('simple', 'parcel')`,
      );
      const contactsPlan = await tx.execute(
        sql`explain select id from contacts where to_tsvector('simple', coalesce(${contacts.name}, '') || ' ' || coalesce(${contacts.email}, '') || ' ' || coalesce(${contacts.phone}, '')) @@ websearch_to_tsquery('simple', 'pete')`,
      );
      return JSON.stringify([messagesPlan, contactsPlan]);
    });
    expect(plan).toContain("messages_search_idx");
    expect(plan).toContain("contacts_search_idx");
  });
});
