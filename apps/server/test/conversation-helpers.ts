import { randomBytes } from "node:crypto";
import { io as connectSocket, type Socket } from "socket.io-client";
import { inboxes, inboxMembers } from "../src/modules/inboxes/inboxes.tables.ts";
import type { TestApp } from "./helpers.ts";

/** A website inbox written straight to the database (the inbox API has its own tests). */
export const createWebsiteInbox = async (
  harness: Pick<TestApp, "database">,
  input: { workspaceId: string; name?: string; memberUserIds?: string[] },
) => {
  const [inbox] = await harness.database.db
    .insert(inboxes)
    .values({
      workspaceId: input.workspaceId,
      type: "website",
      name: input.name ?? "Website",
      websiteToken: `wt_${randomBytes(12).toString("hex")}`,
    })
    .returning();
  if (!inbox) throw new Error("inbox insert returned no row");
  for (const userId of input.memberUserIds ?? []) {
    await harness.database.db.insert(inboxMembers).values({ inboxId: inbox.id, userId, workspaceId: input.workspaceId });
  }
  return inbox;
};

/** A visitor's widget: a session over HTTP, then a real socket on `/widget`. */
export const connectVisitor = async (harness: TestApp, baseUrl: string, inboxToken: string, visitorToken?: string) => {
  const response = await harness.app.inject({
    method: "POST",
    url: "/api/v1/widget/sessions",
    payload: { inboxToken, ...(visitorToken ? { visitorToken } : {}) },
  });
  if (response.statusCode !== 200) throw new Error(`widget session failed: ${response.body}`);
  const session = response.json();
  const socket = await new Promise<Socket>((resolve, reject) => {
    const client = connectSocket(`${baseUrl}/widget`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { visitorToken: session.visitorToken },
    });
    client.once("connect", () => resolve(client));
    client.once("connect_error", (error) => {
      client.close();
      reject(error);
    });
  });
  return { session, socket };
};

/** Emits with an acknowledgement and resolves with it. */
export const emitWithAck = <T = { ok: boolean; data?: unknown; error?: { code: string; message: string } }>(
  socket: Socket,
  event: string,
  payload: unknown,
): Promise<T> => socket.timeout(5_000).emitWithAck(event, payload);

/** Collects every event of one name a socket receives from now on. */
export const collect = <T>(socket: Socket, event: string): T[] => {
  const received: T[] = [];
  socket.on(event, (payload: T) => received.push(payload));
  return received;
};

export const settle = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms));
