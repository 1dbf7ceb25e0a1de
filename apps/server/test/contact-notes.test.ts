import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("contact notes", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  it("lets members add notes, authors edit and delete their own, admins any; audited and paginated", async () => {
    const owner = await signUp(harness.app, { name: "Owen Owner" });
    const agentA = await signUp(harness.app, { name: "Ana Agent" });
    const agentB = await signUp(harness.app, { name: "Ben Agent" });
    const tokenA = await joinWorkspace(harness, { userId: agentA.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const tokenB = await joinWorkspace(harness, { userId: agentB.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const contact = (await api(owner.token, "POST", "/contacts", { name: "Carla Customer" })).json();

    const created = await api(tokenA, "POST", `/contacts/${contact.id}/notes`, { body: "Prefers email follow-ups." });
    expect(created.statusCode).toBe(201);
    const note = created.json();
    expect(note).toMatchObject({
      contactId: contact.id,
      body: "Prefers email follow-ups.",
      author: { id: agentA.user.id, name: "Ana Agent" },
    });
    expect((await api(tokenA, "POST", `/contacts/${contact.id}/notes`, { body: "   " })).statusCode).toBe(400);

    // Another agent may read but not change it.
    const byB = await api(tokenB, "PATCH", `/contacts/${contact.id}/notes/${note.id}`, { body: "Vandalised" });
    expect(byB.statusCode).toBe(403);
    expect((await api(tokenB, "DELETE", `/contacts/${contact.id}/notes/${note.id}`)).statusCode).toBe(403);
    const edited = await api(tokenA, "PATCH", `/contacts/${contact.id}/notes/${note.id}`, {
      body: "Prefers email, never phone.",
    });
    expect(edited.json().body).toBe("Prefers email, never phone.");
    // The owner (an admin) may change anyone's.
    expect(
      (await api(owner.token, "PATCH", `/contacts/${contact.id}/notes/${note.id}`, { body: "Prefers email." })).statusCode,
    ).toBe(200);

    for (let i = 0; i < 3; i++) await api(tokenB, "POST", `/contacts/${contact.id}/notes`, { body: `Call ${i}` });
    const page1 = (await api(tokenB, "GET", `/contacts/${contact.id}/notes?limit=2`)).json();
    expect(page1.items.map((item: { body: string }) => item.body)).toEqual(["Call 2", "Call 1"]);
    const page2 = (
      await api(tokenB, "GET", `/contacts/${contact.id}/notes?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)
    ).json();
    expect(page2.items.map((item: { body: string }) => item.body)).toEqual(["Call 0", "Prefers email."]);
    expect(page2.nextCursor).toBeNull();

    expect((await api(owner.token, "DELETE", `/contacts/${contact.id}/notes/${note.id}`)).statusCode).toBe(204);
    expect((await api(owner.token, "DELETE", `/contacts/${contact.id}/notes/${note.id}`)).statusCode).toBe(404);
    const actions = (
      await harness.database.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, owner.workspace.id), eq(auditLog.targetId, note.id)))
    ).map((row) => row.action);
    expect(actions.sort()).toEqual([
      "contact_note.created",
      "contact_note.deleted",
      "contact_note.updated",
      "contact_note.updated",
    ]);
  });

  it("keeps notes inside their workspace", async () => {
    const owner = await signUp(harness.app);
    const stranger = await signUp(harness.app);
    const contact = (await api(owner.token, "POST", "/contacts", { name: "Private Person" })).json();
    const note = (await api(owner.token, "POST", `/contacts/${contact.id}/notes`, { body: "secret" })).json();
    expect((await api(stranger.token, "GET", `/contacts/${contact.id}/notes`)).statusCode).toBe(404);
    expect((await api(stranger.token, "POST", `/contacts/${contact.id}/notes`, { body: "x" })).statusCode).toBe(404);
    expect((await api(stranger.token, "PATCH", `/contacts/${contact.id}/notes/${note.id}`, { body: "x" })).statusCode).toBe(404);
    expect((await api(stranger.token, "DELETE", `/contacts/${contact.id}/notes/${note.id}`)).statusCode).toBe(404);
  });
});
