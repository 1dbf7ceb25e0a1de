import type { TDeadLetterJob } from "@parley/shared";
import type { Database } from "../../platform/db.ts";
import { requeueDeadLetter } from "../../platform/queue/dead-letters.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";

/** An admin puts a failed job back on the queue; the retry is audited with the job's task. */
export const retryFailedJob = async (
  db: Database,
  realtime: RealtimePublisher,
  input: { workspaceId: string; jobId: string; actor: AuditActor },
): Promise<TDeadLetterJob> => {
  const { job, entry } = await db.transaction(async (tx) => {
    const job = await requeueDeadLetter(tx, input.workspaceId, input.jobId);
    const entry = await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "job.retried",
      target: { type: "job", id: job.id, label: job.task },
      after: { task: job.task, attempts: job.attempts },
    });
    return { job, entry };
  });
  publishAudit(realtime, input.workspaceId, entry);
  return job;
};
