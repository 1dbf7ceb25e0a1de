import { createServer } from "node:http";
import { Server } from "socket.io";
import { io as connectSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RequestIdentity } from "./identity.ts";
import { createLogger } from "./logger.ts";
import { bindSocketEvents, defineSocketEvent, requireSocketPermission, socketEventTable } from "./socket-events.ts";

const agentWithout = (permissions: RequestIdentity["permissions"]): RequestIdentity => ({
  kind: "session",
  workspaceId: "00000000-0000-4000-8000-0000000000aa",
  userId: "00000000-0000-4000-8000-000000000001",
  sessionId: "00000000-0000-4000-8000-000000000002",
  apiKeyId: null,
  roleId: null,
  permissions,
  actorLabel: "agent@example.test",
  restriction: null,
  isPlatformAdmin: false,
});

describe("socket event acknowledgements", () => {
  const httpServer = createServer();
  const io = new Server(httpServer);
  let url: string;

  beforeAll(async () => {
    const events = socketEventTable([
      defineSocketEvent({
        name: "contacts.touch",
        authorize: requireSocketPermission("contacts.manage"),
        payload: z.strictObject({}),
        ratePerSecond: 10,
        handle: async () => ({ touched: true }),
      }),
    ]);
    const logger = createLogger({ logLevel: "silent", logFormat: "json" });
    io.on("connection", (socket) => bindSocketEvents(socket, agentWithout(["contacts.view"]), events, logger));
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const address = httpServer.address();
    if (address === null || typeof address === "string") throw new Error("the test server has no TCP port");
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await io.close();
  });

  it("refuse a missing permission with the HTTP error shape, its reason and the permission to name", async () => {
    const socket = connectSocket(url, { transports: ["websocket"], reconnection: false });
    try {
      const refused: unknown = await socket.timeout(5_000).emitWithAck("contacts.touch", {});
      expect(refused).toEqual({
        ok: false,
        error: {
          code: "forbidden",
          message: 'You need the "contacts.manage" permission to do this.',
          reason: "permission_required",
          params: { permission: "contacts.manage" },
        },
      });
    } finally {
      socket.close();
    }
  });
});
