import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { crc32, deflateSync } from "node:zlib";
import type { Page } from "playwright-core";
import { io, type Socket } from "socket.io-client";
import { findFreePort } from "../../server/test/free-port.ts";

/** Polls until `probe` returns a value. */
export const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
};

/** Page errors and console errors, minus the browser's own favicon request. */
export const collectErrors = (page: Page): string[] => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    const { url } = message.location();
    if (message.type() === "error" && !url.endsWith("/favicon.ico")) errors.push(`console: ${message.text()} (${url})`);
  });
  return errors;
};

/** A customer's website on its own origin, serving the given page for every path (an SPA). */
export const startHostSite = async (html: () => string): Promise<{ url: string; close: () => Promise<void> }> => {
  const port = await findFreePort();
  const server: HttpServer = createHttpServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html());
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
};

/** The documented embed: the queue stub, then the async loader tag. */
export const hostPageWithSnippet = (input: {
  parleyUrl: string;
  inboxToken: string;
  title?: string;
  beforeLoader?: string;
}) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title ?? "Acme shop"}</title>
<script>
  window.Parley=window.Parley||function(){(window.Parley.q=window.Parley.q||[]).push(arguments)};
  ${input.beforeLoader ?? ""}
</script>
</head>
<body>
<h1>Acme shop</h1>
<p>Products, prices and a chat in the corner.</p>
<script async src="${input.parleyUrl}/widget.js" data-inbox="${input.inboxToken}"></script>
</body>
</html>`;

export type Api = <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; json: T }>;

export const apiClient =
  (baseUrl: string, token: string): Api =>
  async (method, path, body) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };

/** An agent's real `/agent` socket, recording every event it receives. */
export const connectAgentSocket = (
  baseUrl: string,
  token: string,
): Promise<{ socket: Socket; received: Array<{ event: string; payload: unknown }> }> =>
  new Promise((resolve, reject) => {
    const socket = io(`${baseUrl}/agent`, { transports: ["websocket"], reconnection: false, forceNew: true, auth: { token } });
    const received: Array<{ event: string; payload: unknown }> = [];
    socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));
    socket.once("connect", () => resolve({ socket, received }));
    socket.once("connect_error", reject);
  });

/** A real PNG (solid colour), so the server's type sniffing and thumbnailing accept it. */
export const pngImage = (width: number, height: number, rgb: [number, number, number]): Buffer => {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, checksum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
};
