import { and, eq, gt } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { mentions, messages } from "../src/modules/messages/messages.tables.ts";
import { teams } from "../src/modules/teams/teams.tables.ts";
import { createWebsiteInbox } from "./conversation-helpers.ts";
import { countQueries, createInbox, seedContactMessage, seedConversation } from "./conversation-list-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

type Item = { id: string; number: number; status: string; priority: string; unreadCount: number };
type Page = { items: Item[]; nextCursor: string | null };

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe("conversation list: filters, sorts, cursor, counts", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const list = async (token: string, query: string): Promise<Page> => {
    const response = await harness.app.inject({ url: `/api/v1/conversations?${query}`, headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const numbers = (page: Page) => page.items.map((item) => item.number);

  it("filters by status, inbox, assignee, team, label, priority, channel, dates, waiting, missed, archive and views", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const colleague = await signUp(harness.app);
    await joinWorkspace(harness, { userId: colleague.user.id, workspaceId, roleKey: "agent" });
    const web = await createWebsiteInbox(harness, { workspaceId });
    const api = await createInbox(harness, { workspaceId, type: "api" });
    const [team] = await harness.database.db.insert(teams).values({ workspaceId, name: "Billing" }).returning();
    const seed = (values: Parameters<typeof seedConversation>[1] extends infer T ? Partial<T> : never) =>
      seedConversation(harness, { workspaceId, inboxId: web.id, ...values });

    const openMine = await seed({ status: "open", assigneeId: owner.user.id, priority: "urgent", lastActivityAt: minutesAgo(1) });
    const pending = await seed({
      status: "pending",
      labels: ["vip"],
      waitingSince: minutesAgo(30),
      lastActivityAt: minutesAgo(2),
    });
    const resolved = await seed({ status: "resolved", teamId: team?.id ?? null, lastActivityAt: minutesAgo(3) });
    const onApi = await seed({
      inboxId: api.id,
      status: "open",
      assigneeId: colleague.user.id,
      priority: "high",
      createdAt: minutesAgo(60 * 24 * 10),
      lastActivityAt: minutesAgo(4),
    });
    const archived = await seed({ status: "closed", archivedAt: new Date(), lastActivityAt: minutesAgo(5) });
    const missed = await seed({ status: "pending", isMissed: true, waitingSince: minutesAgo(90), lastActivityAt: minutesAgo(6) });
    const unread = await seed({ status: "open", lastActivityAt: minutesAgo(7) });
    await seedContactMessage(harness, unread);
    // A mention of the owner in a private note, unread.
    const mentioned = await seed({ status: "open", lastActivityAt: minutesAgo(8) });
    const [note] = await harness.database.db
      .insert(messages)
      .values({
        workspaceId,
        conversationId: mentioned.id,
        inboxId: web.id,
        senderType: "agent",
        text: "@owner",
        isPrivate: true,
      })
      .returning();
    await harness.database.db
      .insert(mentions)
      .values({ workspaceId, messageId: note?.id ?? "", conversationId: mentioned.id, userId: owner.user.id });

    const t = owner.token;
    const all = [openMine, pending, resolved, onApi, missed, unread, mentioned].map((c) => c.number);
    expect(numbers(await list(t, ""))).toEqual(all);
    expect(numbers(await list(t, "status=open"))).toEqual([openMine, onApi, unread, mentioned].map((c) => c.number));
    expect(numbers(await list(t, "status=pending&status=resolved"))).toEqual([pending, resolved, missed].map((c) => c.number));
    expect(numbers(await list(t, "status=pending,resolved"))).toEqual([pending, resolved, missed].map((c) => c.number));
    expect(numbers(await list(t, `inboxId=${api.id}`))).toEqual([onApi.number]);
    expect(numbers(await list(t, "channel=api"))).toEqual([onApi.number]);
    expect(numbers(await list(t, `assigneeId=${colleague.user.id}`))).toEqual([onApi.number]);
    expect(numbers(await list(t, "assignee=me"))).toEqual([openMine.number]);
    expect(numbers(await list(t, "view=mine"))).toEqual([openMine.number]);
    expect(numbers(await list(t, "assignee=unassigned"))).toEqual(
      [pending, resolved, missed, unread, mentioned].map((c) => c.number),
    );
    expect(numbers(await list(t, `teamId=${team?.id}`))).toEqual([resolved.number]);
    expect(numbers(await list(t, "label=vip"))).toEqual([pending.number]);
    expect(numbers(await list(t, "priority=urgent,high"))).toEqual([openMine, onApi].map((c) => c.number));
    expect(numbers(await list(t, "hasUnanswered=true"))).toEqual([pending, missed, unread].map((c) => c.number));
    expect(numbers(await list(t, "missed=true"))).toEqual([missed.number]);
    expect(numbers(await list(t, "archived=true"))).toEqual([archived.number]);
    expect(numbers(await list(t, "unread=true"))).toEqual([unread.number]);
    expect(numbers(await list(t, "view=mentions"))).toEqual([mentioned.number]);
    const fiveDaysAgo = minutesAgo(60 * 24 * 5).toISOString();
    expect(numbers(await list(t, `to=${encodeURIComponent(fiveDaysAgo)}`))).toEqual([onApi.number]);
    expect(numbers(await list(t, `from=${encodeURIComponent(fiveDaysAgo)}&status=open`))).toEqual(
      [openMine, unread, mentioned].map((c) => c.number),
    );

    // Reading the unread conversation takes it out of the unread filter, for the reader only.
    const read = await harness.app.inject({ method: "POST", url: `/api/v1/conversations/${unread.id}/read`, headers: bearer(t) });
    expect(read.json()).toMatchObject({ unreadCount: 0 });
    expect(numbers(await list(t, "unread=true"))).toEqual([]);

    const counts = await harness.app.inject({ url: "/api/v1/conversations/counts", headers: bearer(t) });
    // Open + pending, not archived: openMine, pending, onApi, missed, unread, mentioned.
    expect(counts.json()).toEqual({ mine: 1, unassigned: 4, all: 6, mentions: 1 });
    // Reading a conversation reads the mentions in it.
    await harness.app.inject({ method: "POST", url: `/api/v1/conversations/${mentioned.id}/read`, headers: bearer(t) });
    expect(numbers(await list(t, "view=mentions"))).toEqual([]);
  });

  it("sorts by latest, created, priority and waiting, with a cursor that survives inserts", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const web = await createWebsiteInbox(harness, { workspaceId });
    const seed = (values: Record<string, unknown>) => seedConversation(harness, { workspaceId, inboxId: web.id, ...values });
    const a = await seed({
      priority: "low",
      createdAt: minutesAgo(50),
      lastActivityAt: minutesAgo(1),
      waitingSince: minutesAgo(5),
    });
    const b = await seed({ priority: "urgent", createdAt: minutesAgo(40), lastActivityAt: minutesAgo(2) });
    const c = await seed({
      priority: "high",
      createdAt: minutesAgo(30),
      lastActivityAt: minutesAgo(3),
      waitingSince: minutesAgo(20),
    });
    const d = await seed({
      priority: "urgent",
      createdAt: minutesAgo(20),
      lastActivityAt: minutesAgo(4),
      waitingSince: minutesAgo(10),
    });
    const e = await seed({ priority: "medium", createdAt: minutesAgo(10), lastActivityAt: minutesAgo(5) });
    const t = owner.token;
    expect(numbers(await list(t, "sort=latest"))).toEqual([a, b, c, d, e].map((x) => x.number));
    expect(numbers(await list(t, "sort=created"))).toEqual([e, d, c, b, a].map((x) => x.number));
    expect(numbers(await list(t, "sort=priority"))).toEqual([b, d, c, e, a].map((x) => x.number));
    expect(numbers(await list(t, "sort=waiting"))).toEqual([c, d, a, b, e].map((x) => x.number));

    for (const sort of ["latest", "created", "priority", "waiting"]) {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await list(t, `sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        seen.push(...numbers(page));
        cursor = page.nextCursor;
        pages += 1;
        // A conversation arriving mid-pagination lands on page one and does not shift later pages.
        if (pages === 1) await seed({ priority: "urgent", createdAt: new Date(), lastActivityAt: new Date() });
      } while (cursor && pages < 10);
      expect(seen.slice(0, 5).sort()).toEqual([a, b, c, d, e].map((x) => x.number).sort());
      expect(new Set(seen).size).toBe(seen.length);
      await harness.database.db
        .delete(conversations)
        .where(and(eq(conversations.workspaceId, workspaceId), gt(conversations.number, e.number)));
    }
  });

  it("answers 400 for a foreign or malformed cursor and an oversized page", async () => {
    const owner = await signUp(harness.app);
    for (const query of ["cursor=not-a-cursor", "limit=101", "status=bogus", "sort=random", "unknown=1"]) {
      const response = await harness.app.inject({ url: `/api/v1/conversations?${query}`, headers: bearer(owner.token) });
      expect(response.statusCode, query).toBe(400);
    }
    const web = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    for (let i = 0; i < 3; i++) await seedConversation(harness, { workspaceId: owner.workspace.id, inboxId: web.id });
    const page = await list(owner.token, "sort=latest&limit=1");
    const wrongSort = await harness.app.inject({
      url: `/api/v1/conversations?sort=created&cursor=${page.nextCursor}`,
      headers: bearer(owner.token),
    });
    expect(wrongSort.statusCode).toBe(400);
  });

  it("shows an agent only their inboxes' and their own conversations, never another workspace's", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId, roleKey: "agent" });
    const theirs = await createWebsiteInbox(harness, { workspaceId, memberUserIds: [agent.user.id] });
    const other = await createWebsiteInbox(harness, { workspaceId });
    const inTheirInbox = await seedConversation(harness, { workspaceId, inboxId: theirs.id, lastActivityAt: minutesAgo(1) });
    const assignedElsewhere = await seedConversation(harness, {
      workspaceId,
      inboxId: other.id,
      assigneeId: agent.user.id,
      lastActivityAt: minutesAgo(2),
    });
    await seedConversation(harness, { workspaceId, inboxId: other.id });
    // The agent's own workspace (from sign-up) has a conversation too; it must not leak into this one.
    const ownInbox = await createWebsiteInbox(harness, { workspaceId: agent.workspace.id });
    await seedConversation(harness, { workspaceId: agent.workspace.id, inboxId: ownInbox.id });

    expect(numbers(await list(agentToken, ""))).toEqual([inTheirInbox.number, assignedElsewhere.number]);
    expect(numbers(await list(agentToken, `inboxId=${other.id}`))).toEqual([assignedElsewhere.number]);
    const counts = await harness.app.inject({ url: "/api/v1/conversations/counts", headers: bearer(agentToken) });
    expect(counts.json()).toEqual({ mine: 1, unassigned: 1, all: 2, mentions: 0 });
    expect((await list(owner.token, "")).items).toHaveLength(3);
  });

  it("reads a page in at most 3 SQL statements whatever its size", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId, roleKey: "agent" });
    const web = await createWebsiteInbox(harness, { workspaceId, memberUserIds: [agent.user.id] });
    for (let i = 0; i < 60; i++) {
      const conversation = await seedConversation(harness, { workspaceId, inboxId: web.id, labels: ["x"] });
      if (i % 3 === 0) await seedContactMessage(harness, conversation);
    }
    const request = (url: string) => countQueries(harness, () => harness.app.inject({ url, headers: bearer(agentToken) }));
    // What authentication costs, measured on a route that runs exactly one statement of its own (a 404 lookup).
    const baseline = await request("/api/v1/conversations/00000000-0000-4000-8000-000000000000");
    expect(baseline.result.statusCode).toBe(404);
    const authStatements = baseline.statements.length - 1;
    const counts = await request("/api/v1/conversations/counts");
    expect(counts.result.statusCode).toBe(200);
    expect(counts.statements.length - authStatements).toBe(1);

    const pages = [
      { query: "limit=5", size: 5 },
      { query: "limit=50", size: 50 },
      { query: "limit=50&sort=priority&unread=false&label=x&channel=website&view=all", size: 40 },
      { query: "limit=50&sort=waiting&unread=true&hasUnanswered=true", size: 20 },
    ];
    for (const { query, size } of pages) {
      const { result, statements } = await request(`/api/v1/conversations?${query}`);
      expect(result.statusCode).toBe(200);
      expect(result.json().items.length).toBe(size);
      expect(statements.length - authStatements, statements.join("\n")).toBeLessThanOrEqual(3);
    }
    const small = await request("/api/v1/conversations?limit=5");
    expect(small.statements.length - authStatements).toBe(2);
    const large = await request("/api/v1/conversations?limit=50");
    expect(large.statements.length).toBe(small.statements.length);
    // A next page through the cursor costs the same.
    const next = await request(`/api/v1/conversations?limit=50&cursor=${large.result.json().nextCursor}`);
    expect(next.result.json().items).toHaveLength(10);
    expect(next.statements.length - authStatements).toBeLessThanOrEqual(3);
  });

  it("reads the default page in order from an index, never sorting the workspace's conversations", async () => {
    const owner = await signUp(harness.app);
    const web = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    for (let i = 0; i < 3; i++) await seedConversation(harness, { workspaceId: owner.workspace.id, inboxId: web.id });
    const { result, statements, values } = await countQueries(harness, () =>
      harness.app.inject({ url: "/api/v1/conversations?limit=25", headers: bearer(owner.token) }),
    );
    expect(result.json().items).toHaveLength(3);
    const index = statements.findIndex((text) => text.includes('order by "conversations"."last_activity_at" desc'));
    expect(index, statements.join("\n")).toBeGreaterThanOrEqual(0);

    // With sorting priced out, the plan shows whether an index gives the page's order by itself.
    const client = await harness.database.pool.connect();
    try {
      await client.query("begin");
      await client.query("set local enable_seqscan = off");
      await client.query("set local enable_sort = off");
      const explained = await client.query<{ "QUERY PLAN": unknown }>(
        `explain (format json) ${statements[index]}`,
        values[index],
      );
      const plan = JSON.stringify(explained.rows[0]?.["QUERY PLAN"]);
      expect(plan).toContain('"Index Name":"conversations_latest_idx"');
      expect(plan).toContain('"Scan Direction":"Backward"');
      expect(plan).not.toContain('"Node Type":"Sort"');
      expect(plan).not.toContain('"Node Type":"Incremental Sort"');
    } finally {
      await client.query("rollback");
      client.release();
    }
  });
});
