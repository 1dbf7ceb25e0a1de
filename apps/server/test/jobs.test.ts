import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { enqueueJob } from "../src/platform/queue/enqueue.ts";
import { defineTask } from "../src/platform/queue/tasks.ts";
import { startWorker, type Worker } from "../src/platform/queue/worker.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";

const ZPayload = z.object({ workspaceId: z.uuid(), marker: z.string() });

const completed: string[] = [];
const failuresLeft = new Map<string, number>();

const recordTask = defineTask({
  name: "test.record",
  payload: ZPayload,
  maxAttempts: 3,
  run: async ({ marker }) => {
    completed.push(marker);
  },
});

/** Fails as many times as the test asked for its marker, then succeeds. */
const flakyTask = defineTask({
  name: "test.flaky",
  payload: ZPayload,
  maxAttempts: 1,
  run: async ({ marker }) => {
    const left = failuresLeft.get(marker) ?? 0;
    if (left > 0) {
      failuresLeft.set(marker, left - 1);
      throw new Error(`planned failure for ${marker}`);
    }
    completed.push(marker);
  },
});

const slowRetryTask = defineTask({
  name: "test.always_fails",
  payload: ZPayload,
  maxAttempts: 3,
  run: async () => {
    throw new Error("always fails");
  },
});

const waitFor = async <T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe("background jobs", () => {
  let harness: TestApp;
  let worker: Worker;
  beforeAll(async () => {
    harness = await startTestApp();
    worker = await startWorker({
      connectionString: harness.databaseUrl,
      services: harness.app.parley,
      tasks: [recordTask, flakyTask, slowRetryTask],
      concurrency: 4,
    });
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  const queuedCount = async (task: string, marker: string) => {
    const result = await harness.database.pool.query(
      `select count(*)::int as count from graphile_worker._private_jobs job
       join graphile_worker._private_tasks task on task.id = job.task_id
       where task.identifier = $1 and job.payload->>'marker' = $2`,
      [task, marker],
    );
    return result.rows[0].count as number;
  };

  it("runs a job enqueued in a transaction once that transaction commits", async () => {
    const owner = await signUp(harness.app);
    await harness.database.db.transaction(async (tx) => {
      await tx.execute(sql`update workspaces set name = 'Committed' where id = ${owner.workspace.id}`);
      await enqueueJob(tx, recordTask, { workspaceId: owner.workspace.id, marker: "committed" });
    });
    await waitFor(() => (completed.includes("committed") ? true : undefined), "the committed job to run");
    expect(await queuedCount(recordTask.name, "committed")).toBe(0);
  });

  it("never creates the job when the transaction rolls back", async () => {
    const owner = await signUp(harness.app);
    await expect(
      harness.database.db.transaction(async (tx) => {
        await enqueueJob(tx, recordTask, { workspaceId: owner.workspace.id, marker: "rolled-back" });
        throw new Error("the business change failed");
      }),
    ).rejects.toThrow("the business change failed");
    // A job that existed would have started within milliseconds; give it far longer.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(completed).not.toContain("rolled-back");
    expect(await queuedCount(recordTask.name, "rolled-back")).toBe(0);
  });

  it("refuses to enqueue a payload that does not match the task's schema", async () => {
    await expect(
      harness.database.db.transaction((tx) => enqueueJob(tx, recordTask, { workspaceId: "not-a-uuid", marker: "bad" })),
    ).rejects.toThrow();
  });

  it("backs off before retrying a failed job", async () => {
    const owner = await signUp(harness.app);
    await harness.database.db.transaction((tx) =>
      enqueueJob(tx, slowRetryTask, { workspaceId: owner.workspace.id, marker: "backoff" }),
    );
    const job = await waitFor(async () => {
      const result = await harness.database.pool.query(
        "select attempts, run_at > now() + interval '1 second' as is_delayed, last_error from graphile_worker._private_jobs where payload->>'marker' = 'backoff'",
      );
      const row = result.rows[0];
      return row && row.attempts === 1 && row.last_error ? row : undefined;
    }, "the first failure to be recorded");
    expect(job.is_delayed).toBe(true);
    expect(job.last_error).toContain("always fails");
  });

  it("moves a job that failed its last attempt to the dead letters its workspace admins see, and retries it", async () => {
    const owner = await signUp(harness.app);
    const stranger = await signUp(harness.app);
    failuresLeft.set("dead", 1);
    await harness.database.db.transaction((tx) => enqueueJob(tx, flakyTask, { workspaceId: owner.workspace.id, marker: "dead" }));

    const deadLetter = await waitFor(async () => {
      const page = await harness.app.inject({ url: "/api/v1/admin/dead-letter-jobs", headers: bearer(owner.token) });
      return page.json().items[0];
    }, "the dead letter");
    expect(deadLetter).toMatchObject({
      task: "test.flaky",
      attempts: 1,
      payload: { workspaceId: owner.workspace.id, marker: "dead" },
      retriedAt: null,
    });
    expect(deadLetter.lastError).toContain("planned failure for dead");
    expect(await queuedCount(flakyTask.name, "dead")).toBe(0);

    const strangersView = await harness.app.inject({ url: "/api/v1/admin/dead-letter-jobs", headers: bearer(stranger.token) });
    expect(strangersView.json()).toEqual({ items: [], nextCursor: null });
    const strangersRetry = await harness.app.inject({
      method: "POST",
      url: `/api/v1/admin/dead-letter-jobs/${deadLetter.id}/retry`,
      headers: bearer(stranger.token),
    });
    expect(strangersRetry.statusCode).toBe(404);

    const retry = await harness.app.inject({
      method: "POST",
      url: `/api/v1/admin/dead-letter-jobs/${deadLetter.id}/retry`,
      headers: bearer(owner.token),
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().retriedAt).not.toBeNull();
    const audit = await harness.database.pool.query(
      "select actor_label, target_id, target_label from audit_log where workspace_id = $1 and action = 'job.retried'",
      [owner.workspace.id],
    );
    expect(audit.rows).toEqual([{ actor_label: owner.user.email, target_id: deadLetter.id, target_label: "test.flaky" }]);
    await waitFor(() => (completed.includes("dead") ? true : undefined), "the retried job to succeed");

    const again = await harness.app.inject({
      method: "POST",
      url: `/api/v1/admin/dead-letter-jobs/${deadLetter.id}/retry`,
      headers: bearer(owner.token),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("conflict");
  });

  it("dead-letters a job whose payload cannot be parsed without retrying it", async () => {
    const owner = await signUp(harness.app);
    await harness.database.pool.query("select graphile_worker.add_job('test.record', $1::json, max_attempts => 5)", [
      JSON.stringify({ workspaceId: owner.workspace.id, marker: 42 }),
    ]);
    const deadLetter = await waitFor(async () => {
      const page = await harness.app.inject({ url: "/api/v1/admin/dead-letter-jobs", headers: bearer(owner.token) });
      return page.json().items[0];
    }, "the unparseable job's dead letter");
    expect(deadLetter.attempts).toBe(1);
    expect(deadLetter.lastError).toContain("invalid payload");
  });

  it("pages dead letters newest first and limits them to admins", async () => {
    const owner = await signUp(harness.app);
    for (const marker of ["page-1", "page-2", "page-3"]) {
      failuresLeft.set(marker, 1);
      await harness.database.db.transaction((tx) => enqueueJob(tx, flakyTask, { workspaceId: owner.workspace.id, marker }));
    }
    await waitFor(async () => {
      const page = await harness.app.inject({ url: "/api/v1/admin/dead-letter-jobs", headers: bearer(owner.token) });
      return page.json().items.length === 3 ? true : undefined;
    }, "three dead letters");
    const first = await harness.app.inject({ url: "/api/v1/admin/dead-letter-jobs?limit=2", headers: bearer(owner.token) });
    expect(first.json().items).toHaveLength(2);
    const second = await harness.app.inject({
      url: `/api/v1/admin/dead-letter-jobs?limit=2&cursor=${first.json().nextCursor}`,
      headers: bearer(owner.token),
    });
    expect(second.json().items).toHaveLength(1);
    expect(second.json().nextCursor).toBeNull();
    const all = [...first.json().items, ...second.json().items].map((item: { id: string }) => item.id);
    expect(new Set(all).size).toBe(3);
    expect(all).toEqual([...all].sort().reverse());

    const badCursor = await harness.app.inject({
      url: "/api/v1/admin/dead-letter-jobs?cursor=nope",
      headers: bearer(owner.token),
    });
    expect(badCursor.statusCode).toBe(400);

    const agent = await signUp(harness.app);
    const agentToken = await joinWorkspace(harness, { userId: agent.user.id, workspaceId: owner.workspace.id, roleKey: "agent" });
    const asAgent = await harness.app.inject({ url: "/api/v1/admin/dead-letter-jobs", headers: bearer(agentToken) });
    expect(asAgent.statusCode).toBe(403);
  });
});
