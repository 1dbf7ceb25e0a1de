import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../src/modules/audit/audit.service.ts";
import { createWebhookDeliveryTask, deliverWebhook, WEBHOOK_DELIVERY_TASK } from "../src/modules/webhooks/webhook-delivery.ts";
import { createWebhook } from "../src/modules/webhooks/webhooks.service.ts";
import { webhookDeliveries, webhookSubscriptions } from "../src/modules/webhooks/webhooks.tables.ts";
import { mailMessages } from "../src/platform/mail/mail.tables.ts";
import { startWorker, type Worker } from "../src/platform/queue/worker.ts";
import { allTasks } from "../src/tasks.ts";
import { connectVisitor, createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { type MailCatcher, startMailCatcher } from "./mail-catcher.ts";

type Received = { headers: IncomingMessage["headers"]; body: string };

/** A real HTTP receiver on 127.0.0.1 that answers with the statuses it is told, then 200. */
const startReceiver = async () => {
  const received: Received[] = [];
  // Failures planned per path: each test's webhook has its own path, so a late delivery from an
  // earlier test can never use up another test's planned answers.
  const plannedStatuses = new Map<string, number[]>();
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = plannedStatuses.get(request.url ?? "")?.shift() ?? 200;
      response.writeHead(status, { "content-type": "text/plain" });
      response.end(status === 200 ? "thanks" : `nope ${"x".repeat(2_000)}`);
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Answer the next requests to this webhook URL with these statuses (then 200). */
    plan: (webhookUrl: string, ...statuses: number[]) => {
      const pathOnly = new URL(webhookUrl).pathname;
      plannedStatuses.set(pathOnly, [...(plannedStatuses.get(pathOnly) ?? []), ...statuses]);
    },
    waitForCount: (count: number, timeoutMs = 10_000) =>
      new Promise<Received[]>((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(received);
        };
        const timer = setTimeout(() => reject(new Error(`receiver got ${received.length} of ${count} requests`)), timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** What a receiver does with the `parley-signature` header (documented in webhook-delivery.ts). */
const isValidSignature = (secret: string, request: Received): boolean => {
  const header = String(request.headers["parley-signature"] ?? "");
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match?.[1] || !match[2]) return false;
  const expected = createHmac("sha256", secret).update(`${match[1]}.${request.body}`).digest();
  const given = Buffer.from(match[2], "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const waitFor = async <T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const PUBLIC_URL = "http://93.184.215.14/parley-hook";

describe("outgoing webhooks", () => {
  let harness: TestApp;
  let baseUrl: string;
  let worker: Worker;
  let mail: MailCatcher;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    mail = await startMailCatcher();
    harness = await startTestApp({ env: { SMTP_URL: mail.url } });
    baseUrl = await harness.listen();
    receiver = await startReceiver();
    // Test-only seam: the delivery task is built with private targets allowed so it reaches 127.0.0.1.
    const tasks = allTasks().map((task) =>
      task.name === WEBHOOK_DELIVERY_TASK ? createWebhookDeliveryTask({ isPrivateTargetAllowed: true }) : task,
    );
    worker = await startWorker({ connectionString: harness.databaseUrl, services: harness.app.parley, tasks, concurrency: 4 });
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await harness.close();
    await mail.close();
  });

  /** A workspace whose webhook points at the local receiver (created through the service's test seam). */
  const subscribedWorkspace = async (events: Array<"message.created" | "conversation.created">) => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const webhook = await createWebhook(
      harness.app.parley,
      owner.workspace.id,
      { url: `${receiver.url}/${randomUUID()}`, events },
      SYSTEM_ACTOR,
      {
        isPrivateTargetAllowed: true,
      },
    );
    return { owner, inbox, webhook };
  };

  const visitorWrites = async (inboxToken: string, text: string) => {
    const visitor = await connectVisitor(harness, baseUrl, inboxToken);
    try {
      const ack = await emitWithAck<{ ok: boolean; data: { conversationId: string; message: { id: string } } }>(
        visitor.socket,
        "message.send",
        { clientId: `c-${text}`, text },
      );
      expect(ack.ok).toBe(true);
      return ack.data;
    } finally {
      visitor.socket.close();
    }
  };

  const deliveriesOf = (webhookId: string) =>
    harness.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, webhookId));

  it("subscribes, lists, updates and deletes, showing the secret only at creation and rotation", async () => {
    const owner = await signUp(harness.app);
    const created = await harness.app.inject({
      method: "POST",
      url: "/api/v1/webhooks",
      headers: bearer(owner.token),
      payload: { url: PUBLIC_URL, events: ["message.created", "conversation.created"] },
    });
    expect(created.statusCode).toBe(201);
    const webhook = created.json();
    expect(webhook).toMatchObject({ url: PUBLIC_URL, events: ["message.created", "conversation.created"], isEnabled: true });
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const [stored] = await harness.database.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, webhook.id));
    expect(stored?.secret).not.toContain(webhook.secret);
    expect(harness.app.parley.secrets.decrypt(stored?.secret ?? "")).toBe(webhook.secret);

    const list = await harness.app.inject({ url: "/api/v1/webhooks", headers: bearer(owner.token) });
    expect(list.json().items).toHaveLength(1);
    expect(list.body).not.toContain("whsec_");
    expect(list.json().items[0]).not.toHaveProperty("secret");

    const updated = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${webhook.id}`,
      headers: bearer(owner.token),
      payload: { events: ["contact.created"] },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ events: ["contact.created"] });
    expect(updated.body).not.toContain("whsec_");

    const rotated = await harness.app.inject({
      method: "POST",
      url: `/api/v1/webhooks/${webhook.id}/rotate-secret`,
      headers: bearer(owner.token),
    });
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(webhook.secret);

    const badEvent = await harness.app.inject({
      method: "POST",
      url: "/api/v1/webhooks",
      headers: bearer(owner.token),
      payload: { url: PUBLIC_URL, events: ["message.exploded"] },
    });
    expect(badEvent.statusCode).toBe(400);
    const notHttp = await harness.app.inject({
      method: "POST",
      url: "/api/v1/webhooks",
      headers: bearer(owner.token),
      payload: { url: "ftp://93.184.215.14/x", events: ["message.created"] },
    });
    expect(notHttp.statusCode).toBe(400);

    const audit = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(owner.token) });
    const actions = audit.json().items.map((entry: { action: string }) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(["webhook.created", "webhook.updated", "webhook.secret_rotated"]));
    expect(audit.body).not.toContain(webhook.secret);

    const deleted = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/webhooks/${webhook.id}`,
      headers: bearer(owner.token),
    });
    expect(deleted.statusCode).toBe(204);
    expect((await harness.app.inject({ url: "/api/v1/webhooks", headers: bearer(owner.token) })).json().items).toEqual([]);
  });

  it("refuses loopback, private, link-local and metadata targets (SSRF), including hostnames resolving to them", async () => {
    const owner = await signUp(harness.app);
    for (const url of [
      "http://127.0.0.1:8080/x",
      "http://10.0.0.5/x",
      "http://172.20.1.1/x",
      "http://192.168.1.10/x",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/x",
      "http://[fd00:ec2::254]/x",
      "http://[::ffff:127.0.0.1]/x",
      "http://0.0.0.0/x",
      "http://localhost:3000/x",
      // Other spellings of 127.0.0.1 that the URL parser normalises.
      "http://2130706433/x",
      "http://0x7f.1/x",
    ]) {
      const response = await harness.app.inject({
        method: "POST",
        url: "/api/v1/webhooks",
        headers: bearer(owner.token),
        payload: { url, events: ["message.created"] },
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe("validation_failed");
    }
    const created = await harness.app.inject({
      method: "POST",
      url: "/api/v1/webhooks",
      headers: bearer(owner.token),
      payload: { url: PUBLIC_URL, events: ["message.created"] },
    });
    const moved = await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${created.json().id}`,
      headers: bearer(owner.token),
      payload: { url: "http://127.0.0.1/x" },
    });
    expect(moved.statusCode).toBe(400);
  });

  it("refuses a private target again at delivery time, without retrying", async () => {
    const { owner, webhook } = await subscribedWorkspace(["message.created"]);
    const [delivery] = await harness.database.db
      .insert(webhookDeliveries)
      .values({
        workspaceId: owner.workspace.id,
        subscriptionId: webhook.id,
        eventId: webhook.id,
        event: "message.created",
        payload: { hello: "world" },
      })
      .returning();
    const before = receiver.received.length;
    // The production path: private targets refused (what a DNS change to 127.0.0.1 would meet).
    await deliverWebhook(
      delivery?.id ?? "",
      { ...harness.app.parley, attempt: 1, maxAttempts: 8, abortSignal: new AbortController().signal },
      { isPrivateTargetAllowed: false },
    );
    const [after] = await deliveriesOf(webhook.id);
    expect(after).toMatchObject({ status: "failed", responseStatus: null });
    expect(after?.error).toContain("private");
    expect(receiver.received.length).toBe(before);
  });

  it("delivers message.created, signed, when a visitor writes", async () => {
    const { owner, inbox, webhook } = await subscribedWorkspace(["message.created", "conversation.created"]);
    const before = receiver.received.length;
    const sent = await visitorWrites(inbox.websiteToken ?? "", "Where is my parcel?");
    const all = await receiver.waitForCount(before + 2);
    const mine = all.slice(before);
    const messageRequest = mine.find((request) => request.headers["parley-event"] === "message.created");
    expect(messageRequest).toBeDefined();
    if (!messageRequest) return;
    expect(isValidSignature(webhook.secret, messageRequest)).toBe(true);
    expect(isValidSignature("whsec_wrong", messageRequest)).toBe(false);
    expect(messageRequest.headers["content-type"]).toBe("application/json");
    expect(Number(messageRequest.headers["parley-timestamp"])).toBeGreaterThan(Date.now() / 1000 - 60);
    const body = JSON.parse(messageRequest.body);
    expect(body).toMatchObject({
      type: "message.created",
      workspaceId: owner.workspace.id,
      data: { message: { id: sent.message.id, text: "Where is my parcel?", senderType: "contact", isPrivate: false } },
    });
    expect(messageRequest.headers["parley-delivery"]).toBeDefined();

    type DeliveryLog = { items: Array<{ id: string; status: string; event: string; latencyMs: number }> };
    const log = await waitFor<DeliveryLog>(async () => {
      const page = await harness.app.inject({ url: `/api/v1/webhooks/${webhook.id}/deliveries`, headers: bearer(owner.token) });
      const body: DeliveryLog = page.json();
      return body.items.length === 2 && body.items.every((item) => item.status === "succeeded") ? body : undefined;
    }, "both deliveries to succeed");
    expect(log.items[0]).toMatchObject({
      status: "succeeded",
      attempt: 1,
      responseStatus: 200,
      responseExcerpt: "thanks",
      error: null,
    });
    expect(log.items[0]?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(log.items.map((item: { event: string }) => item.event).sort()).toEqual(["conversation.created", "message.created"]);

    // The same event again: same event id, new delivery id.
    const messageDelivery = log.items.find((item) => item.event === "message.created");
    const redelivered = await harness.app.inject({
      method: "POST",
      url: `/api/v1/webhooks/${webhook.id}/deliveries/${messageDelivery?.id}/redeliver`,
      headers: bearer(owner.token),
    });
    expect(redelivered.statusCode).toBe(202);
    const again = (await receiver.waitForCount(before + 3))[before + 2];
    expect(again?.headers["parley-delivery"]).toBe(redelivered.json().id);
    expect(JSON.parse(again?.body ?? "{}").id).toBe(body.id);
    expect(isValidSignature(webhook.secret, again ?? { headers: {}, body: "" })).toBe(true);

    const paged = await harness.app.inject({
      url: `/api/v1/webhooks/${webhook.id}/deliveries?limit=1`,
      headers: bearer(owner.token),
    });
    expect(paged.json().items).toHaveLength(1);
    const next = await harness.app.inject({
      url: `/api/v1/webhooks/${webhook.id}/deliveries?limit=1&cursor=${paged.json().nextCursor}`,
      headers: bearer(owner.token),
    });
    expect(next.json().items[0].id).not.toBe(paged.json().items[0].id);

    // Private notes are the business's own data: delivered, flagged as private.
    const beforeNote = receiver.received.length;
    const note = await harness.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${sent.conversationId}/messages`,
      headers: bearer(owner.token),
      payload: { clientId: "note-1", text: "VIP customer", isPrivate: true },
    });
    expect(note.statusCode).toBe(201);
    const noteRequest = (await receiver.waitForCount(beforeNote + 1))[beforeNote];
    expect(JSON.parse(noteRequest?.body ?? "{}").data.message).toMatchObject({ text: "VIP customer", isPrivate: true });
  });

  it("retries a failing receiver with exponential backoff until it answers", async () => {
    const { inbox, webhook } = await subscribedWorkspace(["message.created"]);
    const before = receiver.received.length;
    receiver.plan(webhook.url, 500, 500);
    await visitorWrites(inbox.websiteToken ?? "", "retry me");

    const jobOf = async (attempts: number) => {
      const [delivery] = await deliveriesOf(webhook.id);
      const result = await harness.database.pool.query(
        // The queue counts an attempt when it takes the job; only once it has recorded the failure
        // (last_error set, lock released) does run_at hold the backoff.
        `select attempts, extract(epoch from (run_at - now()))::float as delay_seconds from graphile_worker._private_jobs
         where payload->>'deliveryId' = $1 and last_error is not null and locked_at is null`,
        [delivery?.id],
      );
      const row = result.rows[0];
      return row && row.attempts === attempts && delivery?.attempt === attempts ? { row, delivery } : undefined;
    };
    const first = await waitFor(() => jobOf(1), "the first failure");
    expect(first.delivery).toMatchObject({ status: "pending", responseStatus: 500 });
    expect(first.delivery.responseExcerpt?.length).toBeLessThanOrEqual(1_024);
    expect(first.row.delay_seconds).toBeGreaterThan(1);
    await harness.database.pool.query(
      "update graphile_worker._private_jobs set run_at = now() where payload->>'deliveryId' = $1",
      [first.delivery.id],
    );

    const second = await waitFor(() => jobOf(2), "the second failure");
    // Backoff grows: the next wait is longer than the first.
    expect(second.row.delay_seconds).toBeGreaterThan(first.row.delay_seconds);
    await harness.database.pool.query(
      "update graphile_worker._private_jobs set run_at = now() where payload->>'deliveryId' = $1",
      [first.delivery.id],
    );

    await receiver.waitForCount(before + 3);
    const done = await waitFor(async () => {
      const [delivery] = await deliveriesOf(webhook.id);
      return delivery?.status === "succeeded" ? delivery : undefined;
    }, "the delivery to succeed");
    expect(done).toMatchObject({ attempt: 3, responseStatus: 200 });
    const [subscription] = await harness.database.db
      .select()
      .from(webhookSubscriptions)
      .where(eq(webhookSubscriptions.id, webhook.id));
    expect(subscription?.consecutiveFailures).toBe(0);
  });

  it("disables a webhook after sustained failure, mails the admins, and enables it again on request", async () => {
    const { owner, inbox, webhook } = await subscribedWorkspace(["message.created"]);
    const agent = await signUp(harness.app);
    await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    // Nine failures already in a row; the next one is the tenth.
    await harness.database.db
      .update(webhookSubscriptions)
      .set({ consecutiveFailures: 9 })
      .where(eq(webhookSubscriptions.id, webhook.id));
    receiver.plan(webhook.url, 503);
    await visitorWrites(inbox.websiteToken ?? "", "this one fails");

    const disabled = await waitFor(async () => {
      const [row] = await harness.database.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, webhook.id));
      return row?.isEnabled === false ? row : undefined;
    }, "the webhook to be disabled");
    expect(disabled.disabledAt).not.toBeNull();
    expect(disabled.disabledReason).toContain("503");
    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery?.status).toBe("failed");

    const notice = await mail.waitFor(
      (message) => message.to.includes(owner.user.email.toLowerCase()) && /disabled/.test(message.subject),
    );
    expect(notice.text).toContain(webhook.url);
    // Only members who manage settings hear of it, not agents.
    const queued = await harness.database.db
      .select({ to: mailMessages.toAddress })
      .from(mailMessages)
      .where(eq(mailMessages.subject, "A Parley webhook was disabled"));
    expect(queued.map((row) => row.to)).toContain(owner.user.email);
    expect(queued.map((row) => row.to)).not.toContain(agent.user.email);

    const audit = await harness.app.inject({ url: "/api/v1/audit-log", headers: bearer(owner.token) });
    expect(audit.json().items.map((entry: { action: string }) => entry.action)).toContain("webhook.auto_disabled");

    const redeliverWhileDisabled = await harness.app.inject({
      method: "POST",
      url: `/api/v1/webhooks/${webhook.id}/deliveries/${delivery?.id}/redeliver`,
      headers: bearer(owner.token),
    });
    expect(redeliverWhileDisabled.statusCode).toBe(409);

    const enabled = await harness.app.inject({
      method: "POST",
      url: `/api/v1/webhooks/${webhook.id}/enable`,
      headers: bearer(owner.token),
    });
    expect(enabled.json()).toMatchObject({ isEnabled: true, consecutiveFailures: 0, disabledAt: null, disabledReason: null });
  });

  it("keeps webhooks to settings managers of their own workspace", async () => {
    const owner = await signUp(harness.app);
    const created = await harness.app.inject({
      method: "POST",
      url: "/api/v1/webhooks",
      headers: bearer(owner.token),
      payload: { url: PUBLIC_URL, events: ["message.created"] },
    });
    const id = created.json().id;
    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    for (const [method, url] of [
      ["GET", "/api/v1/webhooks"],
      ["POST", `/api/v1/webhooks/${id}/rotate-secret`],
      ["GET", `/api/v1/webhooks/${id}/deliveries`],
      ["DELETE", `/api/v1/webhooks/${id}`],
    ] as const) {
      const response = await harness.app.inject({ method, url, headers: bearer(agentToken) });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }

    const stranger = await signUp(harness.app);
    for (const [method, url] of [
      ["PATCH", `/api/v1/webhooks/${id}`],
      ["POST", `/api/v1/webhooks/${id}/rotate-secret`],
      ["POST", `/api/v1/webhooks/${id}/enable`],
      ["GET", `/api/v1/webhooks/${id}/deliveries`],
      ["DELETE", `/api/v1/webhooks/${id}`],
    ] as const) {
      const response = await harness.app.inject({
        method,
        url,
        headers: bearer(stranger.token),
        ...(method === "PATCH" ? { payload: { events: ["message.created"] } } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    const list = await harness.app.inject({ url: "/api/v1/webhooks", headers: bearer(stranger.token) });
    expect(list.json().items).toEqual([]);
  });
});
