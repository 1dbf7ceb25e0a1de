import { and, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { defineTask } from "../../platform/queue/tasks.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { runBulkOperationTask } from "./bulk-operations.ts";
import { type ConversationServices, commitConversationChange } from "./commit-change.ts";
import { publishOutcomes } from "./conversations.service.ts";
import { conversations } from "./conversations.tables.ts";
import { applyChange, type ChangeActor, type LifecycleChange } from "./lifecycle.ts";
import { SYSTEM_AUTHOR } from "./system-messages.ts";

/** Conversations handled per run; the next minute picks up the rest. */
const SWEEP_LIMIT = 500;

const SYSTEM: ChangeActor = { author: SYSTEM_AUTHOR, audit: SYSTEM_ACTOR };

/**
 * One conversation per transaction, so each change reaches sockets on its own and one failure
 * does not undo the others. The change re-checks the row under lock (an agent may have acted since).
 */
const applyToEach = async (
  services: ConversationServices,
  targets: ReadonlyArray<{ id: string; change: LifecycleChange }>,
  isStillDue: (row: typeof conversations.$inferSelect) => boolean,
): Promise<void> => {
  for (const target of targets) {
    const outcome = await commitConversationChange(services, async (tx) => {
      const [row] = await tx.select().from(conversations).where(eq(conversations.id, target.id)).for("update");
      if (!row || !isStillDue(row)) return { result: null, events: [] };
      const done = await applyChange(tx, SYSTEM, row, target.change);
      return { result: done, events: done.events };
    });
    if (outcome) publishOutcomes(services, [outcome]);
  }
};

/** Snoozed conversations whose time has come reopen, with "Snooze ended" in the timeline. */
export const wakeSnoozedConversations = async (services: ConversationServices): Promise<number> => {
  const due = await services.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        eq(conversations.status, "snoozed"),
        isNotNull(conversations.snoozedUntil),
        lte(conversations.snoozedUntil, sql`now()`),
      ),
    )
    .limit(SWEEP_LIMIT);
  await applyToEach(
    services,
    due.map((row) => ({ id: row.id, change: { type: "snooze_ended" } })),
    (row) => row.status === "snoozed" && row.snoozedUntil !== null && row.snoozedUntil.getTime() <= Date.now(),
  );
  return due.length;
};

/** Open and pending conversations idle longer than their inbox's auto-close time get closed. */
export const autoCloseIdleConversations = async (services: ConversationServices): Promise<number> => {
  const due = await services.db
    .select({ id: conversations.id, minutes: inboxes.autoCloseMinutes })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(
      and(
        isNotNull(inboxes.autoCloseMinutes),
        inArray(conversations.status, ["open", "pending"]),
        sql`${conversations.lastActivityAt} < now() - make_interval(mins => ${inboxes.autoCloseMinutes})`,
      ),
    )
    .limit(SWEEP_LIMIT);
  const byId = new Map(due.map((row) => [row.id, row.minutes ?? 0]));
  await applyToEach(
    services,
    due.map((row) => ({ id: row.id, change: { type: "auto_close", minutes: row.minutes ?? 0 } })),
    (row) =>
      (row.status === "open" || row.status === "pending") &&
      row.lastActivityAt.getTime() < Date.now() - (byId.get(row.id) ?? 0) * 60_000,
  );
  return due.length;
};

export const wakeSnoozedTask = defineTask({
  name: "conversations.wake_snoozed",
  payload: z.looseObject({}),
  maxAttempts: 1,
  run: async (_payload, context) => {
    const count = await wakeSnoozedConversations(context);
    if (count > 0) context.logger.info({ count }, "woke snoozed conversations");
  },
});

export const autoCloseTask = defineTask({
  name: "conversations.auto_close",
  payload: z.looseObject({}),
  maxAttempts: 1,
  run: async (_payload, context) => {
    const count = await autoCloseIdleConversations(context);
    if (count > 0) context.logger.info({ count }, "auto-closed idle conversations");
  },
});

export const conversationTasks = [wakeSnoozedTask, autoCloseTask, runBulkOperationTask];
