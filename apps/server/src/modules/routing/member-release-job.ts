import { z } from "zod";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { enqueueJob } from "../../platform/queue/enqueue.ts";
import type { TaskDefinition } from "../../platform/queue/tasks.ts";

export const ZMemberRelease = z.object({
  workspaceId: z.uuid(),
  userId: z.uuid(),
  /** The admin who removed or deactivated the member, named in each conversation's history. */
  byUserId: z.uuid().nullable(),
  cause: z.enum(["removed", "deactivated"]),
});

export type MemberRelease = z.infer<typeof ZMemberRelease>;

/**
 * The job that hands a departed member's conversations back (release-member.ts runs it), as the
 * members module queues it. Apart from its task, which needs the conversation engine: loading that
 * from the members module would close an import cycle through the module list.
 */
export const memberReleaseJob = {
  name: "routing.release_member_conversations",
  payload: ZMemberRelease,
  maxAttempts: 5,
} satisfies Omit<TaskDefinition<typeof ZMemberRelease>, "run">;

/** Queued in the transaction that ends the membership, so the release happens exactly when that commits. */
export const queueMemberRelease = (tx: DatabaseOrTransaction, release: MemberRelease): Promise<string> =>
  enqueueJob(tx, memberReleaseJob, release);
