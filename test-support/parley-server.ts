import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "../apps/server/test/free-port.ts";
import { spawnParley, waitForReady } from "../apps/server/test/process.ts";

export type ParleyServer = {
  baseUrl: string;
  /** What the server printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
};

/**
 * The real server for browser tests: embedded PostgreSQL in a fresh folder, started the way
 * `npm start` starts it, ready when /readyz answers 200; `stop` sends SIGINT like Ctrl-C.
 */
export const startParleyServer = async (
  options: { env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<ParleyServer> => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "parley-e2e-"));
  const port = await findFreePort();
  let postgresPort = await findFreePort();
  while (postgresPort === port) postgresPort = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = spawnParley({
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    PARLEY_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(postgresPort),
    ...options.env,
  });

  const stop = async () => {
    let wasKilled = false;
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGINT");
      const timeout = setTimeout(() => {
        wasKilled = true;
        server.child.kill("SIGKILL");
      }, 30_000);
      await server.exited;
      clearTimeout(timeout);
    }
    await rm(dataDir, { recursive: true, force: true });
    if (wasKilled) throw new Error(`Parley did not stop within 30 s of SIGINT:\n${server.output()}`);
  };

  try {
    await waitForReady(baseUrl, server, options.readyTimeoutMs ?? 90_000);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { baseUrl, output: server.output, stop };
};

/** One JSON call to a test server's `/api/v1`; an answer that is not JSON reads as `{}`. */
export const callApi = async (
  server: Pick<ParleyServer, "baseUrl">,
  request: { method: string; url: string; body?: unknown; token?: string | undefined },
): Promise<{ status: number; json: Record<string, unknown> }> => {
  const response = await fetch(`${server.baseUrl}/api/v1${request.url}`, {
    method: request.method,
    headers: {
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const json: Record<string, unknown> = await response.json().catch(() => ({}));
  return { status: response.status, json };
};
