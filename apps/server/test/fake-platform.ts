import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type RecordedRequest = {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The body parsed as JSON or as a form, when it is one. */
  json: unknown;
  form: Record<string, string> | null;
};

export type FakeResponse = { status?: number; json?: unknown; body?: Buffer | string; headers?: Record<string, string> };
type Handler = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

/**
 * A local stand-in for a messaging platform's API: records every request exactly as received and
 * answers with what each test scripts (per method and path, or a path pattern). Unscripted calls
 * get 404 so a test never passes by accident against a route it did not expect.
 */
export const startFakePlatform = async () => {
  const requests: RecordedRequest[] = [];
  const routes: Array<{ method: string; path: string | RegExp; handler: Handler; once: boolean }> = [];
  const waiters = new Set<() => void>();

  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", async () => {
      const url = new URL(incoming.url ?? "/", "http://fake");
      const rawBody = Buffer.concat(chunks);
      const contentType = incoming.headers["content-type"] ?? "";
      let json: unknown = null;
      let form: Record<string, string> | null = null;
      if (contentType.includes("json")) {
        try {
          json = JSON.parse(rawBody.toString("utf8"));
        } catch {
          json = null;
        }
      } else if (contentType.includes("x-www-form-urlencoded")) {
        form = Object.fromEntries(new URLSearchParams(rawBody.toString("utf8")));
      }
      const recorded: RecordedRequest = {
        method: incoming.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        rawBody,
        json,
        form,
      };
      requests.push(recorded);
      const index = routes.findIndex(
        (route) =>
          route.method === recorded.method &&
          (typeof route.path === "string" ? route.path === recorded.path : route.path.test(recorded.path)),
      );
      const route = routes[index];
      let answer: FakeResponse;
      if (!route) answer = { status: 404, json: { error: `no scripted answer for ${recorded.method} ${recorded.path}` } };
      else {
        if (route.once) routes.splice(index, 1);
        answer = await route.handler(recorded);
      }
      const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.body ?? "");
      response.writeHead(answer.status ?? 200, {
        ...(answer.json !== undefined ? { "content-type": "application/json" } : {}),
        ...answer.headers,
      });
      response.end(body);
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Scripts an answer; `once` answers are used up first, in the order they were added. */
    on: (method: string, path: string | RegExp, handler: Handler | FakeResponse, options: { once?: boolean } = {}) => {
      const route = {
        method,
        path,
        handler: typeof handler === "function" ? handler : () => handler,
        once: options.once ?? false,
      };
      if (route.once) routes.unshift(route);
      else routes.push(route);
    },
    /** Resolves with the first recorded request matching, waiting for it to arrive. */
    waitFor: (match: (request: RecordedRequest) => boolean, timeoutMs = 10_000) =>
      new Promise<RecordedRequest>((resolve, reject) => {
        const check = () => {
          const found = requests.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `the fake platform saw no matching request; it saw: ${requests.map((r) => `${r.method} ${r.path}`).join(", ")}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
export type FakePlatform = Awaited<ReturnType<typeof startFakePlatform>>;

/** Polls until `check` returns a value (not undefined/false), for effects of background jobs. */
export const eventually = async <T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
