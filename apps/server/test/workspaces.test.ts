import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("the current workspace", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("lets an owner read and rename it", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Old Name" });
    const current = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(owner.token) });
    expect(current.json()).toMatchObject({ id: owner.workspace.id, name: "Old Name" });
    const renamed = await harness.app.inject({
      method: "PATCH",
      url: "/api/v1/workspaces/current",
      headers: bearer(owner.token),
      payload: { name: "  New Name  " },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: owner.workspace.id, name: "New Name", slug: owner.workspace.slug });
  });

  it("forbids agents from renaming it and leaves it unchanged", async () => {
    const owner = await signUp(harness.app, { workspaceName: "Kept Name" });
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });

    const attempt = await harness.app.inject({
      method: "PATCH",
      url: "/api/v1/workspaces/current",
      headers: bearer(agentToken),
      payload: { name: "Hijacked" },
    });
    expect(attempt.statusCode).toBe(403);
    expect(attempt.json().error.code).toBe("forbidden");
    const after = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(owner.token) });
    expect(after.json().name).toBe("Kept Name");
  });

  it("keeps each session inside its own workspace", async () => {
    const alice = await signUp(harness.app, { workspaceName: "Alice Co" });
    const bob = await signUp(harness.app, { workspaceName: "Bob Co" });
    const asAlice = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(alice.token) });
    const asBob = await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(bob.token) });
    expect(asAlice.json().id).toBe(alice.workspace.id);
    expect(asBob.json().id).toBe(bob.workspace.id);
    await harness.app.inject({
      method: "PATCH",
      url: "/api/v1/workspaces/current",
      headers: bearer(bob.token),
      payload: { name: "Bob Renamed" },
    });
    expect((await harness.app.inject({ url: "/api/v1/workspaces/current", headers: bearer(alice.token) })).json().name).toBe(
      "Alice Co",
    );
  });

  it("rejects an empty or oversized name with field errors", async () => {
    const owner = await signUp(harness.app);
    for (const name of ["", "   ", "x".repeat(121)]) {
      const response = await harness.app.inject({
        method: "PATCH",
        url: "/api/v1/workspaces/current",
        headers: bearer(owner.token),
        payload: { name },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details[0].path).toBe("body.name");
    }
  });
});
