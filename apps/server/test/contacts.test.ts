import { ZContactListQuery } from "@parley/shared";
import { and, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { contactSearchCondition, listContacts } from "../src/modules/contacts/contacts.service.ts";
import { contactIdentities, contacts } from "../src/modules/contacts/contacts.tables.ts";
import { purgeAnonymousVisitorsTask } from "../src/modules/contacts/visitor-retention.ts";
import { webhookDeliveries, webhookSubscriptions } from "../src/modules/webhooks/webhooks.tables.ts";
import { visitorBans, visitorVisits } from "../src/modules/widget/visitors.tables.ts";
import { workspaces } from "../src/modules/workspaces/workspaces.tables.ts";
import { connectVisitor, createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("contacts", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  /** A webhook subscription whose deliveries are only read from the table, never sent. */
  const subscribeToContactEvents = (workspaceId: string) =>
    harness.database.db.insert(webhookSubscriptions).values({
      workspaceId,
      url: "https://hooks.example.com/parley",
      events: ["contact.created", "contact.updated"],
      secret: "unused-in-this-test",
    });

  const auditActions = async (workspaceId: string, targetId: string) =>
    (
      await harness.database.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.targetId, targetId)))
    ).map((row) => row.action);

  it("creates, edits and audits a contact, refusing a duplicate email with the existing id", async () => {
    const owner = await signUp(harness.app);
    const created = await api(owner.token, "POST", "/contacts", {
      name: "Ada Lovelace",
      email: "Ada@Example.com",
      phone: "+44 20 7946 0958",
      customAttributes: { plan: "pro", seats: 12, isTrial: false, churnedAt: null },
      tags: ["vip", "vip", "beta"],
    });
    expect(created.statusCode).toBe(201);
    const ada = created.json();
    expect(ada).toMatchObject({
      name: "Ada Lovelace",
      email: "ada@example.com",
      phone: "+44 20 7946 0958",
      customAttributes: { plan: "pro", seats: 12, isTrial: false, churnedAt: null },
      tags: ["vip", "beta"],
      isBlocked: false,
    });

    const duplicate = await api(owner.token, "POST", "/contacts", { name: "Other Ada", email: "ADA@example.com" });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({
      code: "conflict",
      details: { existingContactId: ada.id },
      reason: "contact_email_taken",
    });

    const grace = (await api(owner.token, "POST", "/contacts", { name: "Grace", email: "grace@example.com" })).json();
    const takeEmail = await api(owner.token, "PATCH", `/contacts/${grace.id}`, { email: "ada@example.com" });
    expect(takeEmail.json().error).toMatchObject({ code: "conflict", details: { existingContactId: ada.id } });

    const updated = await api(owner.token, "PATCH", `/contacts/${ada.id}`, {
      phone: null,
      email: "ada@example.com",
      customAttributes: { plan: "enterprise" },
      tags: ["vip"],
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ phone: null, customAttributes: { plan: "enterprise" }, tags: ["vip"] });
    expect(await auditActions(owner.workspace.id, ada.id)).toEqual(["contact.created", "contact.updated"]);

    const [entry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, ada.id), eq(auditLog.action, "contact.updated")));
    expect(Object.keys(entry?.after ?? {}).sort()).toEqual(["customAttributes", "phone", "tags"]);
  });

  it("creates each contact once when two requests race with the same email", async () => {
    const owner = await signUp(harness.app);
    const results = await Promise.all(
      [1, 2, 3].map(() => api(owner.token, "POST", "/contacts", { name: "Twin", email: "twin@example.com" })),
    );
    expect(results.map((response) => response.statusCode).sort()).toEqual([201, 409, 409]);
  });

  it("validates contact fields", async () => {
    const owner = await signUp(harness.app);
    const refused = async (payload: Record<string, unknown>) => {
      const response = await api(owner.token, "POST", "/contacts", payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
    };
    await refused({ email: "not-an-email" });
    await refused({ phone: "call me" });
    await refused({ phone: "+1" });
    await refused({ phone: "+1 555 0100 0100 0100 0100 0100" });
    await refused({ avatarUrl: "javascript:alert(1)" });
    await refused({ customAttributes: { nested: { deep: true } } });
    await refused({ customAttributes: { list: [1, 2] } });
    await refused({ customAttributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`key${i}`, i])) });
    await refused({ customAttributes: "plan=pro" });
    await refused({ tags: [""] });
    await refused({ name: "Eve", isBlocked: true });
    expect(
      (
        await api(owner.token, "POST", "/contacts", {
          phone: "(555) 010-0100",
          customAttributes: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, i])),
        })
      ).statusCode,
    ).toBe(201);
  });

  it("searches name, email and phone by word prefix and filters by tag, page by page", async () => {
    const owner = await signUp(harness.app);
    const other = await signUp(harness.app);
    const make = async (token: string, payload: Record<string, unknown>) =>
      (await api(token, "POST", "/contacts", payload)).json();
    const alice = await make(owner.token, { name: "Alice Smith", email: "alice@acme.io", tags: ["vip"] });
    const bob = await make(owner.token, { name: "Bob Jones", email: "bob@globex.com", phone: "+1 415 555 0199" });
    const carol = await make(owner.token, { name: "Carol Smithers", tags: ["vip", "beta"] });
    await make(other.token, { name: "Alice Smith", email: "alice@elsewhere.io" });

    const search = async (query: string) =>
      (await api(owner.token, "GET", `/contacts?${query}`)).json().items.map((contact: { id: string }) => contact.id);
    expect(await search("search=smi")).toEqual([carol.id, alice.id]);
    expect(await search("search=ali%20smi")).toEqual([alice.id]);
    expect(await search("search=alice%40acme")).toEqual([alice.id]);
    expect(await search("search=415")).toEqual([bob.id]);
    expect(await search("search=nobody")).toEqual([]);
    expect(await search("search=%27%20%26%20!%20(")).toHaveLength(3);
    expect(await search("tag=vip")).toEqual([carol.id, alice.id]);
    expect(await search("tag=vip&search=alice")).toEqual([alice.id]);

    const first = (await api(owner.token, "GET", "/contacts?limit=2")).json();
    expect(first.items.map((contact: { id: string }) => contact.id)).toEqual([carol.id, bob.id]);
    const second = (await api(owner.token, "GET", `/contacts?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second).toEqual({ items: [expect.objectContaining({ id: alice.id })], nextCursor: null });
    expect((await api(owner.token, "GET", "/contacts?limit=500")).statusCode).toBe(400);
  });

  it("searches through the contacts_search_idx GIN index", async () => {
    const condition = contactSearchCondition("ali smi");
    if (!condition) throw new Error("no condition");
    const plan = await harness.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute(sql`explain select id from ${contacts} where ${condition}`);
    });
    expect(JSON.stringify(plan.rows)).toContain("contacts_search_idx");
  });

  it("shows a contact's identities and only the conversations the caller may see", async () => {
    const owner = await signUp(harness.app);
    const agentUser = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, {
      userId: agentUser.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    const worked = await createWebsiteInbox(harness, {
      workspaceId: owner.workspace.id,
      name: "Worked",
      memberUserIds: [agentUser.user.id],
    });
    const hidden = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, name: "Hidden" });

    const visitorA = await connectVisitor(harness, baseUrl, worked.websiteToken ?? "");
    const sentA = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitorA.socket, "message.send", {
      clientId: "a",
      text: "On the worked inbox",
    });
    visitorA.socket.close();
    const visitorB = await connectVisitor(harness, baseUrl, hidden.websiteToken ?? "");
    const sentB = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitorB.socket, "message.send", {
      clientId: "b",
      text: "On the hidden inbox",
    });
    visitorB.socket.close();

    // One person across both inboxes: point the second identity and conversation at the first contact.
    const contactId = (await api(owner.token, "GET", `/conversations/${sentA.data.conversationId}`)).json().contact.id;
    await harness.database.db.execute(sql`update contact_identities set contact_id = ${contactId} where inbox_id = ${hidden.id}`);
    await harness.database.db.execute(
      sql`update conversations set contact_id = ${contactId} where id = ${sentB.data.conversationId}`,
    );

    const asOwner = (await api(owner.token, "GET", `/contacts/${contactId}`)).json();
    expect(asOwner.identities.map((identity: { inbox: { name: string } }) => identity.inbox.name)).toEqual(["Worked", "Hidden"]);
    expect(asOwner.identities[0].sourceId).toBe(visitorA.session.visitorId);
    expect(asOwner.conversations.map((conversation: { id: string }) => conversation.id).sort()).toEqual(
      [sentA.data.conversationId, sentB.data.conversationId].sort(),
    );
    expect(asOwner.conversations[0]).toEqual({
      id: expect.any(String),
      number: expect.any(Number),
      status: "pending",
      inbox: expect.objectContaining({ type: "website" }),
      lastActivityAt: expect.any(String),
    });

    const asAgent = (await api(agentToken, "GET", `/contacts/${contactId}`)).json();
    expect(asAgent.conversations).toEqual([
      expect.objectContaining({ id: sentA.data.conversationId, inbox: expect.objectContaining({ name: "Worked" }) }),
    ]);
  });

  it("blocks a contact so the widget refuses their messages, and unblocks them", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    try {
      const first = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
        clientId: "1",
        text: "Hello",
      });
      const contactId = (await api(owner.token, "GET", `/conversations/${first.data.conversationId}`)).json().contact.id;

      const blocked = await api(owner.token, "POST", `/contacts/${contactId}/block`);
      expect(blocked.json()).toMatchObject({ id: contactId, isBlocked: true, blockedAt: expect.any(String) });
      const refused = await emitWithAck<{ ok: boolean; error?: { code: string } }>(visitor.socket, "message.send", {
        clientId: "2",
        text: "Spam",
      });
      expect(refused).toMatchObject({ ok: false, error: { code: "forbidden" } });

      expect((await api(owner.token, "POST", `/contacts/${contactId}/unblock`)).json()).toMatchObject({
        isBlocked: false,
        blockedAt: null,
      });
      const accepted = await emitWithAck<{ ok: boolean }>(visitor.socket, "message.send", { clientId: "3", text: "Sorry" });
      expect(accepted.ok).toBe(true);
      expect(await auditActions(owner.workspace.id, contactId)).toEqual(["contact.blocked", "contact.unblocked"]);
    } finally {
      visitor.socket.close();
    }
  });

  it("emits contact.created and contact.updated for webhooks", async () => {
    const owner = await signUp(harness.app);
    await subscribeToContactEvents(owner.workspace.id);
    const contact = (await api(owner.token, "POST", "/contacts", { name: "Hooked" })).json();
    await api(owner.token, "PATCH", `/contacts/${contact.id}`, { name: "Hooked again" });
    await api(owner.token, "POST", `/contacts/${contact.id}/block`);
    const rows = await harness.database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.workspaceId, owner.workspace.id));
    expect(rows.map((row) => row.event).sort()).toEqual(["contact.created", "contact.updated", "contact.updated"]);
    expect(JSON.stringify(rows.map((row) => row.payload))).toContain("Hooked again");
  });

  it("deletes a contact without conversations and refuses one with history", async () => {
    const owner = await signUp(harness.app);
    const lonely = (await api(owner.token, "POST", "/contacts", { name: "Lonely" })).json();
    expect((await api(owner.token, "DELETE", `/contacts/${lonely.id}`)).statusCode).toBe(204);
    expect((await api(owner.token, "GET", `/contacts/${lonely.id}`)).statusCode).toBe(404);
    expect(await auditActions(owner.workspace.id, lonely.id)).toEqual(["contact.created", "contact.deleted"]);

    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    const sent = await emitWithAck<{ ok: true; data: { conversationId: string } }>(visitor.socket, "message.send", {
      clientId: "1",
      text: "Hello",
    });
    visitor.socket.close();
    const contactId = (await api(owner.token, "GET", `/conversations/${sent.data.conversationId}`)).json().contact.id;
    const refused = await api(owner.token, "DELETE", `/contacts/${contactId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ details: { conversationCount: 1 }, reason: "contact_has_conversations" });
  });

  it("needs contacts.view to read and contacts.manage to change, and hides other workspaces' contacts", async () => {
    const owner = await signUp(harness.app);
    const stranger = await signUp(harness.app);
    const contact = (await api(owner.token, "POST", "/contacts", { name: "Secret client" })).json();

    // A custom role with no contact permissions.
    const role = await api(owner.token, "POST", "/roles", { name: "Greeter", permissions: ["members.view"] });
    expect(role.statusCode).toBe(201);
    const greeterUser = await signUp(harness.app);
    const greeterToken = await joinWorkspace(harness, {
      userId: greeterUser.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    await harness.database.db.execute(
      sql`update memberships set role_id = ${role.json().id} where user_id = ${greeterUser.user.id} and workspace_id = ${owner.workspace.id}`,
    );
    expect((await api(greeterToken, "GET", "/contacts")).statusCode).toBe(403);
    expect((await api(greeterToken, "GET", `/contacts/${contact.id}`)).statusCode).toBe(403);
    expect((await api(greeterToken, "POST", "/contacts", { name: "X" })).statusCode).toBe(403);

    const attempts = [
      api(stranger.token, "GET", `/contacts/${contact.id}`),
      api(stranger.token, "PATCH", `/contacts/${contact.id}`, { name: "Mine" }),
      api(stranger.token, "POST", `/contacts/${contact.id}/block`),
      api(stranger.token, "POST", `/contacts/${contact.id}/unblock`),
      api(stranger.token, "DELETE", `/contacts/${contact.id}`),
    ];
    for (const response of await Promise.all(attempts)) expect(response.statusCode).toBe(404);
    expect((await api(stranger.token, "GET", "/contacts")).json().items).toEqual([]);
    const [row] = await harness.database.db.select().from(contacts).where(eq(contacts.id, contact.id));
    expect(row).toMatchObject({ name: "Secret client", blockedAt: null });
  });

  it("lists people by default and anonymous website visitors apart, until they write, are named or get a note", async () => {
    const owner = await signUp(harness.app);
    await subscribeToContactEvents(owner.workspace.id);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const [silent, writer, named, noted, edited] = await Promise.all(
      Array.from({ length: 5 }, () => connectVisitor(harness, baseUrl, inbox.websiteToken ?? "")),
    );
    if (!silent || !writer || !named || !noted || !edited) throw new Error("visitors missing");
    const identities = await harness.database.db
      .select({ sourceId: contactIdentities.sourceId, contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(eq(contactIdentities.inboxId, inbox.id));
    const contactOf = (visitor: typeof silent) => {
      const found = identities.find((identity) => identity.sourceId === visitor.session.visitorId);
      if (!found) throw new Error("the visitor has no contact");
      return found.contactId;
    };
    const contactIds = (visitors: Array<typeof silent>) => visitors.map(contactOf).sort();
    const listed = async (query: string) => {
      const response = await api(owner.token, "GET", `/contacts${query}`);
      expect(response.statusCode).toBe(200);
      return response.json().items as Array<{ id: string; isAnonymous: boolean }>;
    };
    try {
      expect(await listed("")).toEqual([]);
      expect((await listed("?kind=visitors")).map((contact) => contact.id).sort()).toEqual(
        contactIds([silent, writer, named, noted, edited]),
      );

      expect((await emitWithAck(writer.socket, "message.send", { clientId: "k-1", text: "Hello" })).ok).toBe(true);
      expect((await emitWithAck(named.socket, "visitor.identify", { id: "site-7", email: "nina@example.com" })).ok).toBe(true);
      const notedId = contactOf(noted);
      expect(
        (await api(owner.token, "POST", `/contacts/${notedId}/notes`, { body: "Asked about pricing by phone." })).statusCode,
      ).toBe(201);
      expect((await api(owner.token, "PATCH", `/contacts/${contactOf(edited)}`, { tags: ["vip"] })).statusCode).toBe(200);
      const added = (await api(owner.token, "POST", "/contacts", { name: "Walk-in customer" })).json();

      const people = await listed("");
      expect(people.map((contact) => contact.id).sort()).toEqual(
        [...contactIds([writer, named, noted, edited]), added.id].sort(),
      );
      expect(people.every((contact) => !contact.isAnonymous)).toBe(true);
      expect(await listed("?kind=visitors")).toEqual([expect.objectContaining({ id: contactOf(silent), isAnonymous: true })]);
      expect(await listed("?kind=all")).toHaveLength(6);
      // A visitor who comes back stays who they became.
      const again = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "", writer.session.visitorToken);
      again.socket.close();
      expect((await listed("?kind=visitors")).map((contact) => contact.id)).toEqual([contactOf(silent)]);

      // Webhook receivers hear of each person once, when they became one, and never of the silent visitor.
      const silentAttributes = await emitWithAck(silent.socket, "visitor.attributes", { attributes: { plan: "trial" } });
      expect(silentAttributes.ok).toBe(true);
      const deliveries = await harness.database.db
        .select({ event: webhookDeliveries.event, payload: webhookDeliveries.payload })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.workspaceId, owner.workspace.id));
      const announced = deliveries.map((delivery) => ({
        event: delivery.event,
        contactId: (delivery.payload as { data: { contact: { id: string } } }).data.contact.id,
      }));
      expect(
        announced
          .filter((delivery) => delivery.event === "contact.created")
          .map((delivery) => delivery.contactId)
          .sort(),
      ).toEqual([...contactIds([writer, named, noted, edited]), added.id].sort());
      expect(announced.map((delivery) => delivery.contactId)).not.toContain(contactOf(silent));

      const refused = await api(owner.token, "GET", "/contacts?kind=bots");
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe("validation_failed");
    } finally {
      for (const visitor of [silent, writer, named, noted, edited]) visitor.socket.close();
    }
  });

  it("deletes anonymous visitors past their workspace's retention, and nobody else", async () => {
    const [short, standard, keeping] = [await signUp(harness.app), await signUp(harness.app), await signUp(harness.app)];
    await harness.database.db
      .update(workspaces)
      .set({ anonymousVisitorRetentionDays: 30 })
      .where(eq(workspaces.id, short.workspace.id));
    await harness.database.db
      .update(workspaces)
      .set({ anonymousVisitorRetentionDays: null })
      .where(eq(workspaces.id, keeping.workspace.id));
    const visitorsOf = async (workspaceId: string, count: number) => {
      const inbox = await createWebsiteInbox(harness, { workspaceId });
      const visitors = await Promise.all(
        Array.from({ length: count }, () => connectVisitor(harness, baseUrl, inbox.websiteToken ?? "")),
      );
      const identities = await harness.database.db
        .select({ sourceId: contactIdentities.sourceId, contactId: contactIdentities.contactId })
        .from(contactIdentities)
        .where(eq(contactIdentities.inboxId, inbox.id));
      return {
        inbox,
        visitors: visitors.map((visitor) => ({
          ...visitor,
          contactId: identities.find((identity) => identity.sourceId === visitor.session.visitorId)?.contactId ?? "",
        })),
      };
    };
    /** Last seen, and every visit last seen, this many days ago. */
    const lastSeenDaysAgo = async (contactId: string, days: number, visitsToo = true) => {
      const then = sql`now() - make_interval(days => ${days})`;
      await harness.database.db.update(contacts).set({ lastSeenAt: then, createdAt: then }).where(eq(contacts.id, contactId));
      if (visitsToo) {
        await harness.database.db
          .update(visitorVisits)
          .set({ lastSeenAt: then, startedAt: then })
          .where(eq(visitorVisits.contactId, contactId));
      }
    };

    const site = await visitorsOf(short.workspace.id, 8);
    const [gone, recent, backToday, writer, banned, formerlyBanned, blocked, inconsistent] = site.visitors;
    const other = await visitorsOf(standard.workspace.id, 2);
    const [ninthMonth, secondMonth] = other.visitors;
    const kept = await visitorsOf(keeping.workspace.id, 1);
    const [ancient] = kept.visitors;
    if (!gone || !recent || !backToday || !writer || !banned || !formerlyBanned || !blocked || !inconsistent)
      throw new Error("visitors missing");
    if (!ninthMonth || !secondMonth || !ancient) throw new Error("visitors missing");
    try {
      expect((await emitWithAck(writer.socket, "message.send", { clientId: "r-1", text: "Hello" })).ok).toBe(true);
      expect((await emitWithAck(inconsistent.socket, "message.send", { clientId: "r-2", text: "Hi" })).ok).toBe(true);
      for (const visitor of [...site.visitors, ...other.visitors, ...kept.visitors]) visitor.socket.close();
      for (const visitor of [gone, writer, banned, formerlyBanned, blocked, inconsistent])
        await lastSeenDaysAgo(visitor.contactId, 40);
      await lastSeenDaysAgo(backToday.contactId, 40, false);
      await lastSeenDaysAgo(ninthMonth.contactId, 271);
      await lastSeenDaysAgo(secondMonth.contactId, 40);
      await lastSeenDaysAgo(ancient.contactId, 3_000);
      // Deleting a contact deletes its conversations: the purge checks for them, not only the flag.
      await harness.database.db.update(contacts).set({ isAnonymous: true }).where(eq(contacts.id, inconsistent.contactId));
      await harness.database.db.update(contacts).set({ blockedAt: new Date() }).where(eq(contacts.id, blocked.contactId));
      await harness.database.db.insert(visitorBans).values([
        { workspaceId: short.workspace.id, contactId: banned.contactId, reason: "spam" },
        {
          workspaceId: short.workspace.id,
          contactId: formerlyBanned.contactId,
          reason: "spam",
          expiresAt: sql`now() - interval '1 day'`,
        },
      ]);

      await purgeAnonymousVisitorsTask.run(
        {},
        { ...harness.app.parley, attempt: 1, maxAttempts: 3, abortSignal: new AbortController().signal },
      );

      const db = harness.database.db;
      const deleted = [gone.contactId, formerlyBanned.contactId, ninthMonth.contactId];
      const survivors = [recent, backToday, writer, banned, blocked, inconsistent, secondMonth, ancient].map(
        (visitor) => visitor.contactId,
      );
      const contactsLeft = await db
        .select({ id: contacts.id })
        .from(contacts)
        .where(inArray(contacts.id, [...deleted, ...survivors]));
      expect(contactsLeft.map((row) => row.id).sort()).toEqual([...survivors].sort());
      expect(await db.select().from(contactIdentities).where(inArray(contactIdentities.contactId, deleted))).toEqual([]);
      expect(await db.select().from(visitorVisits).where(inArray(visitorVisits.contactId, deleted))).toEqual([]);
      expect(
        await db
          .select()
          .from(visitorVisits)
          .where(inArray(visitorVisits.contactId, [recent.contactId, ancient.contactId])),
      ).toHaveLength(2);
      const conversationsLeft = await api(short.token, "GET", "/conversations?limit=5");
      expect(
        conversationsLeft
          .json()
          .items.map((item: { contact: { id: string } }) => item.contact.id)
          .sort(),
      ).toEqual([writer.contactId, inconsistent.contactId].sort());

      const purges = await db
        .select({ workspaceId: auditLog.workspaceId, actorType: auditLog.actorType, after: auditLog.after })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.action, "contacts.anonymous_visitors_deleted"),
            inArray(auditLog.workspaceId, [short.workspace.id, standard.workspace.id, keeping.workspace.id]),
          ),
        );
      expect(purges).toHaveLength(2);
      expect(purges).toEqual(
        expect.arrayContaining([
          { workspaceId: short.workspace.id, actorType: "system", after: { count: 2, retentionDays: 30 } },
          { workspaceId: standard.workspace.id, actorType: "system", after: { count: 1, retentionDays: 270 } },
        ]),
      );

      // A deleted visitor who comes back is a new, anonymous visitor.
      const back = await connectVisitor(harness, baseUrl, site.inbox.websiteToken ?? "", gone.session.visitorToken);
      back.socket.close();
      const [again] = await harness.database.db
        .select({ contactId: contactIdentities.contactId, isAnonymous: contacts.isAnonymous })
        .from(contactIdentities)
        .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
        .where(and(eq(contactIdentities.inboxId, site.inbox.id), eq(contactIdentities.sourceId, gone.session.visitorId)));
      expect(again?.isAnonymous).toBe(true);
      expect(again?.contactId).not.toBe(gone.contactId);
    } finally {
      for (const visitor of [...site.visitors, ...other.visitors, ...kept.visitors]) visitor.socket.close();
    }
  });

  it("works through a backlog of old visitors in batches, one audit entry each", async () => {
    const owner = await signUp(harness.app);
    await harness.database.pool.query(
      `insert into contacts (id, workspace_id, is_anonymous, last_seen_at, created_at)
       select gen_random_uuid(), $1, true, now() - interval '300 days', now() - interval '300 days' from generate_series(1, 2500)`,
      [owner.workspace.id],
    );
    await purgeAnonymousVisitorsTask.run(
      {},
      { ...harness.app.parley, attempt: 1, maxAttempts: 3, abortSignal: new AbortController().signal },
    );
    const left = await harness.database.db.select().from(contacts).where(eq(contacts.workspaceId, owner.workspace.id));
    expect(left).toEqual([]);
    const purges = await harness.database.db
      .select({ after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, owner.workspace.id), eq(auditLog.action, "contacts.anonymous_visitors_deleted")));
    expect(purges.map((entry) => (entry.after as { count: number }).count).sort()).toEqual([1000, 1000, 500]);
  });

  it("pages the people through their partial index, however many visitors there are", async () => {
    const owner = await signUp(harness.app);
    const statements: Array<{ text: string; values: unknown[] }> = [];
    const recorder = drizzle({
      client: harness.database.pool,
      logger: { logQuery: (text, values) => statements.push({ text, values }) },
    });
    await listContacts(recorder, owner.workspace.id, ZContactListQuery.parse({}));
    const [statement] = statements;
    if (!statement) throw new Error("the list ran no statement");
    const client = await harness.database.pool.connect();
    try {
      await client.query("begin");
      await client.query("set local enable_seqscan = off");
      await client.query("set local enable_sort = off");
      const explained = await client.query(`explain (format json) ${statement.text}`, statement.values);
      expect(JSON.stringify(explained.rows[0]?.["QUERY PLAN"])).toContain('"Index Name":"contacts_workspace_people_idx"');
    } finally {
      await client.query("rollback");
      client.release();
    }
  });
});
