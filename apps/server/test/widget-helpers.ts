import { io as connectSocket, type Socket } from "socket.io-client";
import type { TestApp } from "./helpers.ts";

/** A widget load over HTTP, as the frame sends it; `headers` stand in for the browser and proxies. */
export const startWidgetSession = (harness: TestApp, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  harness.app.inject({ method: "POST", url: "/api/v1/widget/sessions", payload: body, headers });

/** A real `/widget` socket with a visitor token; rejects when the handshake is refused. */
export const openWidgetSocket = (baseUrl: string, visitorToken: string, headers: Record<string, string> = {}): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const client = connectSocket(`${baseUrl}/widget`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { visitorToken },
      extraHeaders: headers,
    });
    client.once("connect", () => resolve(client));
    client.once("connect_error", (error) => {
      client.close();
      reject(error);
    });
  });

/** The next `event` on a socket, listened for from now on. */
export const waitFor = <T>(socket: Socket, event: string, timeoutMs = 5_000): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });

export const CHROME_ON_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
export const SAFARI_ON_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1";
