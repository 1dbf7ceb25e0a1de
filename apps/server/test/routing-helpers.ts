import { eq } from "drizzle-orm";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { type AutoAssignment, inboxes } from "../src/modules/inboxes/inboxes.tables.ts";
import { connectVisitor, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, type TestApp } from "./helpers.ts";

/** A new person who joins the workspace with a built-in role. */
export const addMember = async (
  harness: TestApp,
  workspaceId: string,
  roleKey: "agent" | "supervisor" | "admin" = "agent",
  name?: string,
) => {
  const person = await signUp(harness.app, name ? { name } : {});
  const token = await joinWorkspace(harness, { userId: person.user.id, workspaceId, roleKey });
  return { userId: person.user.id, name: person.user.name, token };
};

export const setPresence = async (harness: TestApp, token: string, body: Record<string, unknown>) =>
  harness.app.inject({ method: "PUT", url: "/api/v1/me/presence", headers: bearer(token), payload: body });

export const configureInbox = async (
  harness: TestApp,
  inboxId: string,
  values: Partial<{
    autoAssignment: AutoAssignment;
    maxConcurrentPerAgent: number | null;
    awayMessage: string;
    businessHours: (typeof inboxes.$inferSelect)["businessHours"];
  }>,
) => {
  await harness.database.db.update(inboxes).set(values).where(eq(inboxes.id, inboxId));
};

/** A visitor writes a first message over a real widget socket; returns the conversation and the open socket. */
export const visitorWrites = async (harness: TestApp, baseUrl: string, inboxToken: string, text = "Hello?") => {
  const visitor = await connectVisitor(harness, baseUrl, inboxToken);
  const ack = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(visitor.socket, "message.send", {
    clientId: `c-${Math.random().toString(36).slice(2)}`,
    text,
  });
  if (!ack.ok) throw new Error(`visitor send failed: ${JSON.stringify(ack)}`);
  return { ...visitor, conversationId: ack.data.conversationId };
};

export const conversationRow = async (harness: TestApp, conversationId: string) => {
  const [row] = await harness.database.db.select().from(conversations).where(eq(conversations.id, conversationId));
  if (!row) throw new Error(`no conversation ${conversationId}`);
  return row;
};

/** Polls until the check passes (jobs and disconnect hooks finish a moment after the trigger). */
export const eventually = async <T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 5_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
