import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { createSecretBox } from "../../apps/server/src/platform/crypto.ts";
import { type ParleyProcess, startParley } from "./parley.ts";
import { freePort } from "./ports.ts";
import { benchPostgres } from "./postgres.ts";
import { sleep, withTimeout } from "./time.ts";
import { makeTempDir } from "./tmp.ts";

/** The purpose Parley signs visitor tokens with (`modules/widget/visitor-session.ts`). */
const VISITOR_TOKEN_PURPOSE = "widget-visitor";

export type Ack<T = unknown> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export type MessageDto = { id: string; seq: number; text: string; clientId: string | null; conversationId: string };
export type VisitorSendData = { message: MessageDto; conversationId: string };

/**
 * A running Parley with one workspace (its owner signed up over HTTP) and one website inbox, on
 * a scratch database of the bench's PostgreSQL, so the bench can also read and seed rows with `pg`.
 */
export type World = {
  parley: ParleyProcess;
  baseUrl: string;
  /** Connections to the server's database (the bench's own; the server has its own pool). */
  pool: pg.Pool;
  owner: { token: string; userId: string; workspaceId: string };
  inbox: { id: string; websiteToken: string };
  /**
   * A visitor token, signed like `POST /widget/sessions` signs it. That route is limited to 60
   * sessions a minute per IP, and the bench's thousands of visitors all come from 127.0.0.1.
   */
  mintVisitorToken: (visitorId?: string) => string;
  /** One session through the real route, to prove minted tokens are the ones the route gives. */
  widgetSession: () => Promise<{ visitorToken: string; visitorId: string }>;
  connectVisitor: (visitorToken: string, timeoutMs?: number) => Promise<Socket>;
  connectAgent: () => Promise<Socket>;
  /** GET /metrics, parsed: sample name (labels included as written) → value. */
  metrics: () => Promise<Map<string, number>>;
  api: (pathAndQuery: string) => Promise<{ status: number; body: unknown; ms: number }>;
  close: () => Promise<void>;
};

export const connectSocket = (url: string, auth: Record<string, string>, timeoutMs: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, auth, timeout: timeoutMs });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`socket connect to ${url} timed out after ${timeoutMs} ms`));
    }, timeoutMs + 1_000);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });

const parseMetrics = (text: string): Map<string, number> => {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) values.set(line.slice(0, space), value);
  }
  return values;
};

export type WorldOptions = {
  repoRoot: string;
  log: (message: string) => void;
  /** The server's DATABASE_POOL_SIZE; Parley's default when unset. */
  poolSize?: number;
  /** `parley --role`: "api" measures a node that only answers HTTP and sockets (workers run elsewhere). */
  role?: "all" | "api";
};

export const startWorld = async (options: WorldOptions): Promise<World> => {
  const temp = await makeTempDir("world");
  const postgres = await benchPostgres();
  const database = await postgres.createScratchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  let parley: ParleyProcess | undefined;
  const close = async () => {
    if (parley?.child.isRunning()) await parley.stop(15_000);
    await pool.end().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await temp.remove();
  };
  try {
    const port = await freePort();
    const encryptionKey = randomBytes(32).toString("base64");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: encryptionKey,
      PARLEY_DATA_DIR: path.join(temp.path, "data"),
      LOG_LEVEL: "warn",
      ...(options.poolSize ? { DATABASE_POOL_SIZE: String(options.poolSize) } : {}),
    };
    delete env.REDIS_URL;
    delete env.ENCRYPTION_KEYS_PREVIOUS;
    options.log("starting Parley on a scratch database");
    parley = await startParley({
      repoRoot: options.repoRoot,
      env,
      port,
      cwd: temp.path,
      ...(options.role ? { args: ["--role", options.role] } : {}),
    });
    const baseUrl = parley.baseUrl;

    const signup = await fetch(`${baseUrl}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "Bench Owner",
        email: `owner-${randomBytes(4).toString("hex")}@example.com`,
        password: "correct horse battery staple",
        workspaceName: "Bench",
      }),
    });
    if (signup.status !== 201) throw new Error(`signup answered ${signup.status}: ${await signup.text()}`);
    const session = (await signup.json()) as { token: string; user: { id: string }; workspace: { id: string } };
    const owner = { token: session.token, userId: session.user.id, workspaceId: session.workspace.id };

    const websiteToken = `wt_${randomBytes(12).toString("hex")}`;
    const inserted = await pool.query<{ id: string }>(
      "insert into inboxes (id, workspace_id, type, name, website_token) values ($1, $2, 'website', 'Bench website', $3) returning id",
      [randomUUID(), owner.workspaceId, websiteToken],
    );
    const inboxId = inserted.rows[0]?.id;
    if (!inboxId) throw new Error("the inbox insert returned no row");

    const box = createSecretBox(encryptionKey);
    const api: World["api"] = async (pathAndQuery) => {
      const started = performance.now();
      const response = await fetch(`${baseUrl}${pathAndQuery}`, {
        headers: { authorization: `Bearer ${owner.token}` },
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const ms = performance.now() - started;
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON; keep the text.
      }
      return { status: response.status, body, ms };
    };

    return {
      parley,
      baseUrl,
      pool,
      owner,
      inbox: { id: inboxId, websiteToken },
      mintVisitorToken: (visitorId = randomUUID()) => box.sign(VISITOR_TOKEN_PURPOSE, { inboxId, visitorId }),
      widgetSession: async () => {
        const response = await fetch(`${baseUrl}/api/v1/widget/sessions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ inboxToken: websiteToken }),
        });
        if (response.status !== 200) throw new Error(`widget session answered ${response.status}: ${await response.text()}`);
        return (await response.json()) as { visitorToken: string; visitorId: string };
      },
      connectVisitor: (visitorToken, timeoutMs = 20_000) => connectSocket(`${baseUrl}/widget`, { visitorToken }, timeoutMs),
      connectAgent: () => connectSocket(`${baseUrl}/agent`, { token: owner.token }, 20_000),
      metrics: async () => {
        const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
        return parseMetrics(await response.text());
      },
      api,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};

/** Emits with an acknowledgement; a missing ack within `ms` rejects. */
export const emitWithAck = <T>(socket: Socket, event: string, payload: unknown, ms = 10_000): Promise<Ack<T>> =>
  socket.timeout(ms).emitWithAck(event, payload) as Promise<Ack<T>>;

export type ConnectManyResult = { sockets: Socket[]; failures: number; elapsedMs: number; connectMs: number[] };

/**
 * Connects one socket per token, at most `concurrency` handshakes in flight; failed handshakes
 * are counted, not retried. Every socket is closed by `closeAll`.
 */
export const connectMany = async (
  tokens: readonly string[],
  connect: (token: string) => Promise<Socket>,
  concurrency: number,
  deadlineMs: number,
): Promise<ConnectManyResult & { byIndex: (Socket | undefined)[] }> => {
  const byIndex: (Socket | undefined)[] = new Array(tokens.length);
  const connectMs: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < tokens.length && performance.now() - started < deadlineMs) {
      const index = next;
      next += 1;
      const token = tokens[index];
      if (token === undefined) continue;
      const before = performance.now();
      try {
        byIndex[index] = await connect(token);
        connectMs.push(performance.now() - before);
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tokens.length)) }, lane));
  failures += tokens.length - next; // Never tried: the deadline passed.
  const sockets = byIndex.filter((socket): socket is Socket => socket !== undefined);
  return { sockets, byIndex, failures, elapsedMs: performance.now() - started, connectMs };
};

export const closeAll = (sockets: Iterable<Socket | undefined>): void => {
  for (const socket of sockets) socket?.close();
};

/** Resolves when `isDone()` holds or `ms` have passed. */
export const waitUntil = async (isDone: () => boolean, ms: number): Promise<void> => {
  const deadline = performance.now() + ms;
  while (!isDone() && performance.now() < deadline) await sleep(10);
};

export { withTimeout };

/** BENCH_FULL=1 selects the sizes BENCHMARKS.md names; the default run is smaller so it ends in minutes. */
export const isFull = (): boolean => process.env.BENCH_FULL === "1";
