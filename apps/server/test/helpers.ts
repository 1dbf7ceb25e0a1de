import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AGENT_NAMESPACE, type BuiltInRoleKey, type TSessionResponse, ZCreatedApiKey, ZSessionResponse } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import pg from "pg";
import { io as connectSocket, type Socket } from "socket.io-client";
import { inject } from "vitest";
import { buildApp, type ParleyApp } from "../src/app.ts";
import { users } from "../src/modules/auth/auth.tables.ts";
import { openSession } from "../src/modules/auth/sign-in.ts";
import { memberships, roles } from "../src/modules/workspaces/workspaces.tables.ts";
import { type Config, loadConfig } from "../src/platform/config.ts";
import { createSecretBox } from "../src/platform/crypto.ts";
import { connectDatabase, type DatabaseHandle } from "../src/platform/db.ts";
import { createLogger } from "../src/platform/logger.ts";
import { startWorker, type Worker } from "../src/platform/queue/worker.ts";
import { allTasks } from "../src/tasks.ts";

export const silentLogger = createLogger({ logLevel: "silent", logFormat: "json" });

const databaseUrl = (name: string): string => {
  const url = new URL(inject("databaseServerUrl"));
  url.pathname = `/${name}`;
  return url.toString();
};

/** A fresh database cloned from the run's migrated template. */
export const createTestDatabase = async (): Promise<string> => {
  const name = `parley_t_${inject("testRunId")}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: inject("databaseServerUrl") });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template "${inject("templateDatabase")}"`);
        break;
      } catch (error) {
        // Two clones of one template at the same instant collide; the loser waits and tries again.
        const isBusy = error instanceof Error && /being accessed by other users/.test(error.message);
        if (!isBusy || attempt > 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
    }
  } finally {
    await admin.end();
  }
  return databaseUrl(name);
};

export type TestApp = {
  app: ParleyApp;
  config: Config;
  database: DatabaseHandle;
  databaseUrl: string;
  /** Base URL once `listen()` was called. */
  baseUrl: () => string;
  listen: () => Promise<string>;
  close: () => Promise<void>;
};

/** A fixed key for tests; real deployments generate theirs (openssl rand -base64 32). */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

let scratchDataDir: string | undefined;
const testDataDir = (): string => {
  scratchDataDir ??= mkdtempSync(path.join(os.tmpdir(), "parley-test-data-"));
  return scratchDataDir;
};

export const testConfig = (overrides: Record<string, string> = {}): Config =>
  loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    PORT: "0",
    HOST: "127.0.0.1",
    PUBLIC_URL: "http://parley.test",
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    // Uploads and other files go to a scratch folder per test process, never the checkout's ./data.
    PARLEY_DATA_DIR: testDataDir(),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...overrides,
  });

export const startTestApp = async (
  options: { env?: Record<string, string>; authRateLimitPerMinute?: number; dashboardDir?: string; widgetDir?: string } = {},
): Promise<TestApp> => {
  const url = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: url, ...options.env });
  const database = connectDatabase(url, { poolSize: 5, logger: silentLogger });
  const app = await buildApp({
    config,
    logger: silentLogger,
    database,
    secrets: createSecretBox(config.encryptionKey ?? TEST_ENCRYPTION_KEY),
    authRateLimitPerMinute: options.authRateLimitPerMinute ?? 10_000,
    rateLimitNamespace: `parley-test-${randomBytes(4).toString("hex")}:`,
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
    ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}),
  });
  let address: string | undefined;
  return {
    app,
    config,
    database,
    databaseUrl: url,
    baseUrl: () => {
      if (!address) throw new Error("call listen() first");
      return address;
    },
    listen: async () => {
      address = await app.listen({ port: 0, host: "127.0.0.1" });
      return address;
    },
    close: async () => {
      await app.close();
      await database.close();
    },
  };
};

/** The product's job worker (every task, including mail delivery) on a test app's database. */
export const startTestWorker = (harness: Pick<TestApp, "databaseUrl" | "app">): Promise<Worker> =>
  startWorker({
    connectionString: harness.databaseUrl,
    services: harness.app.parley,
    tasks: allTasks(),
    concurrency: 4,
  });

let userCounter = 0;

export const signUp = async (
  app: ParleyApp,
  overrides: Partial<{ name: string; email: string; password: string; workspaceName: string }> = {},
): Promise<TSessionResponse & { password: string }> => {
  userCounter += 1;
  const body = {
    name: `Agent ${userCounter}`,
    email: `agent${userCounter}-${randomBytes(3).toString("hex")}@example.com`,
    password: "correct horse battery",
    workspaceName: `Workspace ${userCounter}`,
    ...overrides,
  };
  const response = await app.inject({ method: "POST", url: "/api/v1/auth/signup", payload: body });
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.statusCode} ${response.body}`);
  return { ...ZSessionResponse.parse(response.json()), password: body.password };
};

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A new API key of the caller's workspace with these permissions; returns the secret, shown only once. */
export const createApiKey = async (
  app: ParleyApp,
  token: string,
  permissions: readonly string[],
  name = "integration",
): Promise<string> => {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/api-keys",
    headers: bearer(token),
    payload: { name, permissions },
  });
  if (response.statusCode !== 201) throw new Error(`API key creation failed: ${response.statusCode} ${response.body}`);
  return ZCreatedApiKey.parse(response.json()).key;
};

/**
 * Makes a user a member of another workspace with a built-in role and returns a session token
 * there (sign-in itself picks the user's oldest workspace).
 */
export const joinWorkspace = async (
  harness: Pick<TestApp, "database">,
  input: { userId: string; workspaceId: string; roleKey: BuiltInRoleKey },
): Promise<string> => {
  const { db } = harness.database;
  const [role] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, input.workspaceId), eq(roles.key, input.roleKey)));
  if (!role) throw new Error(`workspace ${input.workspaceId} has no ${input.roleKey} role`);
  await db.insert(memberships).values({ workspaceId: input.workspaceId, userId: input.userId, roleId: role.id });
  const [user] = await db.select().from(users).where(eq(users.id, input.userId));
  if (!user) throw new Error(`no user ${input.userId}`);
  const session = await openSession(db, {
    user,
    workspaceId: input.workspaceId,
    client: { ip: "127.0.0.1", userAgent: "vitest" },
    policy: { ttlDays: 1 },
    method: "password",
  });
  return session.token;
};

/** Events each test socket received and nobody has awaited yet, so none is missed between connect and listen. */
const unclaimedEvents = new WeakMap<Socket, Array<{ event: string; payload: unknown }>>();

/** A real Socket.IO client on the agent namespace; resolves once the handshake settles. */
export const connectAgent = (
  baseUrl: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connectSocket(`${baseUrl}${AGENT_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      ...(options.token ? { auth: { token: options.token } } : {}),
      ...(options.headers ? { extraHeaders: options.headers } : {}),
    });
    const received: Array<{ event: string; payload: unknown }> = [];
    unclaimedEvents.set(socket, received);
    socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });

/** The next `event` on the socket: one already received and unclaimed, or the next to arrive. */
export const nextEvent = <T>(socket: Socket, event: string, timeoutMs = 5_000): Promise<T> => {
  const received = unclaimedEvents.get(socket) ?? [];
  const index = received.findIndex((entry) => entry.event === event);
  if (index !== -1) {
    const [entry] = received.splice(index, 1);
    return Promise.resolve(entry?.payload as T);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (payload: T) => {
      clearTimeout(timer);
      const buffered = received.findIndex((entry) => entry.event === event);
      if (buffered !== -1) received.splice(buffered, 1);
      resolve(payload);
    };
    socket.once(event, listener);
  });
};

/** The next `event` whose payload matches, skipping others (earlier tests' events may still be buffered). */
export const nextEventMatching = async <T>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean,
  timeoutMs?: number,
): Promise<T> => {
  for (;;) {
    const payload = await nextEvent<T>(socket, event, timeoutMs);
    if (match(payload)) return payload;
  }
};
