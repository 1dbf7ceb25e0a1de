import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ZSessionResponse } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "./free-port.ts";
import { processesUsing, type ServerProcess, spawnParley, waitForReady } from "./process.ts";

describe("parley on the embedded default", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let baseUrl: string;
  const started: ServerProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "parley-lifecycle-"));
    const port = await findFreePort();
    env = { PORT: String(port), HOST: "127.0.0.1", PARLEY_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await findFreePort()) };
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const server of started) if (server.child.exitCode === null) server.child.kill("SIGKILL");
    for (const pid of processesUsing(dataDir)) process.kill(pid, "SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () => {
    const server = spawnParley(env);
    started.push(server);
    return server;
  };

  const stopWith = async (server: ServerProcess, signal: NodeJS.Signals) => {
    server.child.kill(signal);
    const exit = await server.exited;
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(processesUsing(dataDir)).toEqual([]);
  };

  it("starts on a new data folder, seeds the demo workspace and prints its login", async () => {
    const server = start();
    await waitForReady(baseUrl, server, 20_000);
    const printed = await (async () => {
      for (let waited = 0; waited < 2_000 && !server.output().includes("Demo login"); waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return server.output();
    })();
    expect(printed).toContain(`Dashboard    ${baseUrl}/`);
    const login = /Demo login\s+(\S+) \/ (\S+)/.exec(printed);
    expect(login?.[1]).toBe("demo@parley.local");
    const saved = JSON.parse(await readFile(path.join(dataDir, "demo-login.json"), "utf8"));
    expect(saved).toEqual({ email: "demo@parley.local", password: login?.[2] });

    const session = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "demo@parley.local", password: login?.[2] }),
    });
    expect(session.status).toBe(200);
    expect(ZSessionResponse.parse(await session.json()).workspace.name).toBe("Acme Demo");

    const signup = await fetch(`${baseUrl}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Kept", email: "kept@example.com", password: "survives restarts", workspaceName: "Kept Co" }),
    });
    expect(signup.status).toBe(201);
    await stopWith(server, "SIGINT");
  });

  it("restarts on the same data, keeping what was written, and stops on SIGTERM", async () => {
    const server = start();
    await waitForReady(baseUrl, server, 10_000);
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "kept@example.com", password: "survives restarts" }),
    });
    expect(login.status).toBe(200);
    expect(server.output()).not.toContain("initialising");
    await stopWith(server, "SIGTERM");
  });

  it("recovers a PostgreSQL orphaned by a killed Parley on the next start", async () => {
    const crashed = start();
    await waitForReady(baseUrl, crashed, 10_000);
    crashed.child.kill("SIGKILL");
    await crashed.exited;
    const orphans = processesUsing(dataDir);
    expect(orphans.length).toBeGreaterThan(0);

    const server = start();
    await waitForReady(baseUrl, server, 40_000);
    for (const pid of orphans) expect(() => process.kill(pid, 0)).toThrow();
    await stopWith(server, "SIGINT");
  });

  it("exits with an error when its embedded PostgreSQL dies under it", async () => {
    const server = start();
    await waitForReady(baseUrl, server, 10_000);
    const serverPid = server.child.pid;
    for (const pid of processesUsing(dataDir)) if (pid !== serverPid) process.kill(pid, "SIGKILL");
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.output()).toContain("embedded PostgreSQL stopped unexpectedly");
  });
});

describe("parley's start-up checks", () => {
  it("names every invalid environment variable in one message and exits 1", async () => {
    const server = spawnParley({ PORT: "eighty", EMBEDDED_PG_PORT: "5432", DATABASE_URL: "mysql://nope", LOG_LEVEL: "loud" });
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    const output = server.output();
    expect(output).toContain("Parley cannot start: fix these environment variables:");
    for (const name of ["PORT", "EMBEDDED_PG_PORT", "DATABASE_URL", "LOG_LEVEL"]) expect(output).toContain(`- ${name}:`);
  });

  it("refuses an unknown role with the usage text", async () => {
    const server = spawnParley({}, ["--role", "everything"]);
    expect((await server.exited).code).toBe(1);
    expect(server.output()).toContain('Unknown role "everything"');
    expect(server.output()).toContain("Usage: parley");
  });

  it("serves probes but no API in the worker role", async () => {
    const { createTestDatabase, TEST_ENCRYPTION_KEY } = await import("./helpers.ts");
    const port = await findFreePort();
    const server = spawnParley(
      { PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: await createTestDatabase(), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
      ["--role", "worker"],
    );
    try {
      await waitForReady(`http://127.0.0.1:${port}`, server, 15_000);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/me`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    } finally {
      server.child.kill("SIGINT");
      expect((await server.exited).code).toBe(0);
    }
  });
});
