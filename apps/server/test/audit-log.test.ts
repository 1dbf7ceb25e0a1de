import { type TAuditEntry, type TAuditLogPage, ZAuditLogPage } from "@parley/shared";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditActor, recordAudit } from "../src/modules/audit/audit.service.ts";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { csvCell } from "../src/modules/audit/audit-query.ts";
import { bearer, connectAgent, joinWorkspace, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

/** RFC 4180, as a spreadsheet would read it: quoted cells may hold commas, quotes and line breaks. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let isQuoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (isQuoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (character === '"') isQuoted = false;
      else cell += character;
    } else if (character === '"') isQuoted = true;
    else if (character === ",") {
      row.push(cell);
      cell = "";
    } else if (character === "\r" && text[index + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      index++;
    } else cell += character;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
};

const testActor = (label: string, id: string | null = null): AuditActor => ({
  type: "user",
  id,
  label,
  ip: "198.51.100.4",
  userAgent: "vitest",
});

describe("the audit log API", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const list = async (token: string, query = ""): Promise<TAuditLogPage> => {
    const response = await harness.app.inject({ url: `/api/v1/audit-log${query}`, headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return ZAuditLogPage.parse(response.json());
  };

  const record = (workspaceId: string, input: Partial<Parameters<typeof recordAudit>[1]> & { action: string }) =>
    recordAudit(harness.database.db, {
      workspaceId,
      actor: testActor("someone@example.com"),
      target: { type: "thing", id: null },
      ...input,
    });

  it("lists this workspace's entries newest first, page by page", async () => {
    const owner = await signUp(harness.app);
    for (let index = 1; index <= 5; index++) await record(owner.workspace.id, { action: `test.step_${index}` });
    const first = await list(owner.token, "?limit=2&action=test.*");
    expect(first.items.map((entry) => entry.action)).toEqual(["test.step_5", "test.step_4"]);
    const second = await list(owner.token, `?limit=2&action=test.*&cursor=${first.nextCursor}`);
    expect(second.items.map((entry) => entry.action)).toEqual(["test.step_3", "test.step_2"]);
    const third = await list(owner.token, `?limit=2&action=test.*&cursor=${second.nextCursor}`);
    expect(third.items.map((entry) => entry.action)).toEqual(["test.step_1"]);
    expect(third.nextCursor).toBeNull();

    // The sign-up itself was audited too, by the owner.
    const everything = await list(owner.token);
    expect(everything.items.at(-1)).toMatchObject({ action: "workspace.created", actor: { label: owner.user.email } });
  });

  it("filters by actor, action, target and date range", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const memberId = owner.user.id;
    const keyId = "0190a000-0000-7000-8000-00000000abcd";
    const byMember = await record(workspaceId, {
      action: "member.role_changed",
      actor: testActor("boss@example.com", memberId),
      target: { type: "member", id: "0190a000-0000-7000-8000-000000000001", label: "Ann" },
    });
    const byKey = await record(workspaceId, {
      action: "member.removed",
      actor: { ...testActor('API key "ci"', keyId), type: "api_key" },
      target: { type: "member", id: "0190a000-0000-7000-8000-000000000002", label: "Ben" },
    });
    const bySystem = await record(workspaceId, {
      action: "team.created",
      actor: { type: "system", id: null, label: "Parley", ip: null, userAgent: null },
      target: { type: "team", id: "0190a000-0000-7000-8000-000000000003", label: "Support" },
    });
    await harness.database.db
      .update(auditLog)
      .set({ createdAt: new Date("2024-01-10T12:00:00Z") })
      .where(eq(auditLog.id, byMember.id));
    await harness.database.db
      .update(auditLog)
      .set({ createdAt: new Date("2024-02-10T12:00:00Z") })
      .where(eq(auditLog.id, byKey.id));
    await harness.database.db
      .update(auditLog)
      .set({ createdAt: new Date("2024-03-10T12:00:00Z") })
      .where(eq(auditLog.id, bySystem.id));

    const ids = async (query: string) => (await list(owner.token, query)).items.map((entry) => entry.id);
    expect(await ids(`?actorId=${memberId}&targetType=member`)).toEqual([byMember.id]);
    expect(await ids(`?actorId=${keyId}`)).toEqual([byKey.id]);
    expect(await ids("?actorType=api_key")).toEqual([byKey.id]);
    expect(await ids("?actorType=system")).toEqual([bySystem.id]);
    expect(await ids("?action=member.removed")).toEqual([byKey.id]);
    expect(await ids("?action=member.*")).toEqual([byKey.id, byMember.id]);
    expect(await ids("?targetType=team")).toEqual([bySystem.id]);
    expect(await ids("?targetType=member&targetId=0190a000-0000-7000-8000-000000000002")).toEqual([byKey.id]);
    const range = "from=2024-02-01T00:00:00Z&to=2024-03-10T12:00:00Z";
    expect(await ids(`?${range}`)).toEqual([byKey.id]);
    expect(await ids("?from=2024-01-10T12:00:00%2B00:00&to=2024-01-10T12:00:00.001Z")).toEqual([byMember.id]);
    expect(await ids("?to=2024-01-01T00:00:00Z")).toEqual([]);
  });

  it("searches actions, actors and targets, treating % and _ as plain characters", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const percent = await record(workspaceId, {
      action: "kb.published",
      target: { type: "article", id: null, label: "100% uptime" },
    });
    const underscore = await record(workspaceId, { action: "kb.published", target: { type: "article", id: null, label: "a_b" } });
    const lookalike = await record(workspaceId, {
      action: "kb.published",
      target: { type: "article", id: null, label: "100 axb" },
    });
    const byActor = await record(workspaceId, { action: "contact.merged", actor: testActor("Zoë.Quartz@Example.com") });
    const byTargetId = await record(workspaceId, {
      action: "contact.deleted",
      target: { type: "contact", id: "external-42-xyz", label: null },
    });

    const ids = async (search: string) =>
      (await list(owner.token, `?search=${encodeURIComponent(search)}`)).items.map((entry) => entry.id);
    expect(await ids("100%")).toEqual([percent.id]);
    expect(await ids("a_b")).toEqual([underscore.id]);
    expect(await ids("%")).toEqual([percent.id]);
    expect(await ids("axb")).toEqual([lookalike.id]);
    expect(await ids("zoë.quartz")).toEqual([byActor.id]);
    expect(await ids("42-XYZ")).toEqual([byTargetId.id]);
    expect(await ids("CONTACT.MERGED")).toEqual([byActor.id]);
    expect(await ids("\\")).toEqual([]);
    // An empty search box is no filter.
    expect((await ids("  ")).length).toBeGreaterThanOrEqual(5);
  });

  it("shows only the caller's workspace, even when filtering on another's ids", async () => {
    const alice = await signUp(harness.app, { workspaceName: "Alice Audit" });
    const bob = await signUp(harness.app, { workspaceName: "Bob Audit" });
    const bobEntry = await record(bob.workspace.id, { action: "secret.thing", actor: testActor(bob.user.email, bob.user.id) });
    const aliceView = await list(alice.token, "?limit=100");
    expect(aliceView.items.map((entry) => entry.id)).not.toContain(bobEntry.id);
    expect(JSON.stringify(aliceView)).not.toContain(bob.user.email);
    expect((await list(alice.token, `?actorId=${bob.user.id}`)).items).toEqual([]);
    expect((await list(alice.token, "?search=secret")).items).toEqual([]);
    expect((await list(alice.token, `?cursor=${bobEntry.id}`)).items.every((entry) => entry.id < bobEntry.id)).toBe(true);
    expect((await list(bob.token, "?search=secret")).items.map((entry) => entry.id)).toEqual([bobEntry.id]);
  });

  it("needs audit.view, and validates its query", async () => {
    const owner = await signUp(harness.app);
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    for (const url of ["/api/v1/audit-log", "/api/v1/audit-log/export.csv"]) {
      const response = await harness.app.inject({ url, headers: bearer(agentToken) });
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.details).toEqual({ permission: "audit.view" });
      expect((await harness.app.inject({ url })).statusCode).toBe(401);
    }
    const supervisor = await signUp(harness.app);
    const supervisorToken = await joinWorkspace(harness, {
      userId: supervisor.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "supervisor",
    });
    expect((await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(supervisorToken) })).statusCode).toBe(403);

    const badQueries: Array<[string, string]> = [
      ["?from=2024-03-01T00:00:00Z&to=2024-02-01T00:00:00Z", "querystring.from"],
      ["?from=yesterday", "querystring.from"],
      ["?actorId=42", "querystring.actorId"],
      ["?actorType=robot", "querystring.actorType"],
      ["?action=DROP%20TABLE", "querystring.action"],
      ["?cursor=abc", "querystring.cursor"],
      ["?limit=1000", "querystring.limit"],
      [`?search=${"x".repeat(201)}`, "querystring.search"],
      ["?workspaceId=x", "querystring"],
    ];
    for (const [query, path] of badQueries) {
      for (const route of ["/api/v1/audit-log", "/api/v1/audit-log/export.csv"]) {
        if (route.endsWith(".csv") && /cursor|limit/.test(query)) continue;
        const response = await harness.app.inject({ url: `${route}${query}`, headers: bearer(owner.token) });
        expect(response.statusCode, `${route}${query}`).toBe(400);
        expect(response.json().error.details.map((problem: { path: string }) => problem.path)).toContain(path);
      }
    }
    // The export takes no paging: it is always the whole filtered log.
    const paged = await harness.app.inject({ url: "/api/v1/audit-log/export.csv?limit=5", headers: bearer(owner.token) });
    expect(paged.statusCode).toBe(400);
  });
});

describe("the audit log CSV export", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("quotes cells a spreadsheet would split and defuses formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+44 20")).toBe("'+44 20");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell('=HYPERLINK("http://evil", "x")')).toBe(`"'=HYPERLINK(""http://evil"", ""x"")"`);
    expect(csvCell("a=b")).toBe("a=b");
  });

  it("streams the filtered log as a CSV download and audits the export", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const hostile = await recordAudit(harness.database.db, {
      workspaceId,
      actor: testActor('=HYPERLINK("http://evil.example","click")'),
      action: "contact.updated",
      target: { type: "contact", id: "c-1", label: 'Smith, "Jo"\nsecond line' },
      before: { name: "@old" },
      after: { name: "-new, improved" },
    });
    const other = await recordAudit(harness.database.db, {
      workspaceId,
      actor: testActor("+31 plain"),
      action: "team.created",
      target: { type: "team", id: null, label: "Support" },
    });

    const response = await fetch(`${baseUrl}/api/v1/audit-log/export.csv`, { headers: bearer(owner.token) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    // Streamed: the length is not known up front.
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    expect(response.headers.get("content-length")).toBeNull();
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual([
      "id",
      "created_at",
      "actor_type",
      "actor_id",
      "actor_label",
      "action",
      "target_type",
      "target_id",
      "target_label",
      "ip",
      "user_agent",
      "before",
      "after",
    ]);
    const byId = new Map(rows.slice(1).map((row) => [row[0], row]));
    expect(byId.get(hostile.id)).toEqual([
      hostile.id,
      hostile.createdAt,
      "user",
      "",
      `'=HYPERLINK("http://evil.example","click")`,
      "contact.updated",
      "contact",
      "c-1",
      'Smith, "Jo"\nsecond line',
      "198.51.100.4",
      "vitest",
      '{"name":"@old"}',
      '{"name":"-new, improved"}',
    ]);
    expect(byId.get(other.id)?.[4]).toBe("'+31 plain");
    // Newest first, and the export does not contain its own audit entry.
    expect(rows[1]?.[0]).toBe(other.id);
    expect(rows.slice(1).map((row) => row[5])).not.toContain("audit.exported");

    const exported = await harness.app.inject({ url: "/api/v1/audit-log?action=audit.exported", headers: bearer(owner.token) });
    const [entry] = exported.json().items as TAuditEntry[];
    expect(entry).toMatchObject({ actor: { id: owner.user.id, label: owner.user.email }, after: { format: "csv", filter: {} } });

    const filtered = await harness.app.inject({
      url: "/api/v1/audit-log/export.csv?action=team.created",
      headers: bearer(owner.token),
    });
    const filteredRows = parseCsv(filtered.body);
    expect(filteredRows.slice(1).map((row) => row[0])).toEqual([other.id]);
    const secondExport = await harness.app.inject({
      url: "/api/v1/audit-log?action=audit.exported",
      headers: bearer(owner.token),
    });
    expect(secondExport.json().items[0].after).toEqual({ format: "csv", filter: { action: "team.created" } });
  });

  it("exports more entries than one page holds, each once and in order", async () => {
    const owner = await signUp(harness.app);
    const workspaceId = owner.workspace.id;
    const total = 1_234;
    const rows = Array.from({ length: total }, (_, index) => ({
      workspaceId,
      actorType: "system" as const,
      actorLabel: "bulk",
      action: "bulk.inserted",
      targetType: "row",
      targetId: String(index),
    }));
    for (let start = 0; start < total; start += 500)
      await harness.database.db.insert(auditLog).values(rows.slice(start, start + 500));

    const response = await harness.app.inject({
      url: "/api/v1/audit-log/export.csv?action=bulk.inserted",
      headers: bearer(owner.token),
    });
    expect(response.statusCode).toBe(200);
    const targetIds = parseCsv(response.body)
      .slice(1)
      .map((row) => row[7]);
    expect(targetIds).toHaveLength(total);
    expect(targetIds).toEqual(Array.from({ length: total }, (_, index) => String(total - 1 - index)));
  });

  it("leaves other workspaces out of the file", async () => {
    const alice = await signUp(harness.app);
    const bob = await signUp(harness.app);
    await recordAudit(harness.database.db, {
      workspaceId: bob.workspace.id,
      actor: testActor(bob.user.email),
      action: "secret.thing",
      target: { type: "thing", id: null },
    });
    const response = await harness.app.inject({ url: "/api/v1/audit-log/export.csv", headers: bearer(alice.token) });
    expect(response.body).not.toContain(bob.user.email);
    expect(response.body).not.toContain(bob.workspace.id);
    expect(response.body).toContain(alice.user.email);
  });
});

describe("the live audit stream", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("sends new entries to members with audit.view only, in their workspace only", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Streamed" });
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const admin = await signUp(harness.app);
    const adminToken = await joinWorkspace(harness, { userId: admin.user.id, workspaceId: owner.workspace.id, roleKey: "admin" });
    const stranger = await signUp(harness.app);

    const adminSocket = await connectAgent(baseUrl, { token: adminToken });
    const agentSocket = await connectAgent(baseUrl, { token: agentToken });
    const strangerSocket = await connectAgent(baseUrl, { token: stranger.token });
    const leaked: unknown[] = [];
    agentSocket.on("audit.created", (payload) => leaked.push(payload));
    strangerSocket.on("audit.created", (payload) => leaked.push(payload));
    try {
      await Promise.all([adminSocket, agentSocket, strangerSocket].map((socket) => nextEvent(socket, "session.ready")));
      const received = nextEvent<{ entry: TAuditEntry }>(adminSocket, "audit.created");
      const rename = await harness.app.inject({
        method: "PATCH",
        url: "/api/v1/workspaces/current",
        headers: bearer(owner.token),
        payload: { name: "Streamed Renamed" },
      });
      expect(rename.statusCode).toBe(200);
      const { entry } = await received;
      expect(entry).toMatchObject({
        action: "workspace.updated",
        actor: { type: "user", id: owner.user.id, label: owner.user.email },
        target: { type: "workspace", id: owner.workspace.id },
        before: { name: "Streamed" },
        after: { name: "Streamed Renamed" },
      });
      // The streamed entry is the stored one.
      const stored = await harness.database.db
        .select()
        .from(auditLog)
        .where(inArray(auditLog.id, [entry.id]));
      expect(stored).toHaveLength(1);

      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(leaked).toEqual([]);
    } finally {
      for (const socket of [adminSocket, agentSocket, strangerSocket]) socket.close();
    }
  });
});
