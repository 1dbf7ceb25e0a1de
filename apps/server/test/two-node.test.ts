import { ZSessionResponse } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "./free-port.ts";
import { connectAgent, createTestDatabase, nextEvent, TEST_ENCRYPTION_KEY } from "./helpers.ts";
import { type ServerProcess, spawnParley, waitForReady } from "./process.ts";

const redisUrl = process.env.REDIS_URL;

// Needs a Redis server: CI sets REDIS_URL; without it the suite says it was skipped rather than pretending.
describe.skipIf(!redisUrl)("two API nodes sharing PostgreSQL and Redis", () => {
  const nodes: Array<{ server: ServerProcess; url: string }> = [];

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    for (let index = 0; index < 2; index++) {
      const port = await findFreePort();
      const url = `http://127.0.0.1:${port}`;
      const server = spawnParley(
        {
          PORT: String(port),
          HOST: "127.0.0.1",
          PUBLIC_URL: url,
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl ?? "",
          ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        },
        ["--role", "api"],
      );
      nodes.push({ server, url });
    }
    await Promise.all(nodes.map((node) => waitForReady(node.url, node.server, 20_000)));
  });
  afterAll(async () => {
    for (const node of nodes) node.server.child.kill("SIGINT");
    const exits = await Promise.all(nodes.map((node) => node.server.exited));
    expect(exits.map((exit) => exit.code)).toEqual([0, 0]);
  });

  it("delivers an event emitted on node A to a socket connected to node B", async () => {
    const [nodeA, nodeB] = nodes;
    if (!nodeA || !nodeB) throw new Error("both nodes must be running");
    const signup = await fetch(`${nodeA.url}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "Cross Node",
        email: "cross-node@example.com",
        password: "two nodes one redis",
        workspaceName: "Before",
      }),
    });
    const session = ZSessionResponse.parse(await signup.json());
    const socketOnB = await connectAgent(nodeB.url, { token: session.token });
    try {
      const event = nextEvent<{ workspace: { id: string; name: string } }>(socketOnB, "workspace.updated");
      const rename = await fetch(`${nodeA.url}/api/v1/workspaces/current`, {
        method: "PATCH",
        headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ name: "After" }),
      });
      expect(rename.status).toBe(200);
      expect((await event).workspace).toEqual(expect.objectContaining({ id: session.workspace.id, name: "After" }));
    } finally {
      socketOnB.close();
    }
  });

  it("ends a session's sockets on node B when it logs out on node A", async () => {
    const [nodeA, nodeB] = nodes;
    if (!nodeA || !nodeB) throw new Error("both nodes must be running");
    const login = await fetch(`${nodeA.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "cross-node@example.com", password: "two nodes one redis" }),
    });
    const { token } = ZSessionResponse.parse(await login.json());
    const socketOnB = await connectAgent(nodeB.url, { token });
    const disconnected = nextEvent<string>(socketOnB, "disconnect");
    const logout = await fetch(`${nodeA.url}/api/v1/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(204);
    expect(await disconnected).toBe("io server disconnect");
  });
});
