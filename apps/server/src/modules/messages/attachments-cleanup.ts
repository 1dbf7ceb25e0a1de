import { and, inArray, isNull, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { defineTask } from "../../platform/queue/tasks.ts";
import { storageFor } from "../../platform/storage.ts";
import { attachments } from "./messages.tables.ts";

/** Uploads never sent in a message are kept this long (a composer left open overnight), then removed. */
const UNSENT_UPLOAD_HOURS = 24;
const BATCH = 1_000;

/** Deletes files uploaded but never attached to a message, and their rows. Runs daily. */
export const pruneUnsentUploadsTask = defineTask({
  name: "messages.prune_unsent_uploads",
  payload: z.looseObject({}),
  maxAttempts: 3,
  run: async (_payload, { db, config, logger }) => {
    const storage = storageFor(config);
    const stale = await db
      .select({ id: attachments.id, storageKey: attachments.storageKey, thumbnailKey: attachments.thumbnailKey })
      .from(attachments)
      .where(
        and(
          isNull(attachments.messageId),
          lt(attachments.createdAt, sql`now() - make_interval(hours => ${UNSENT_UPLOAD_HOURS})`),
        ),
      )
      .limit(BATCH);
    if (stale.length === 0) return;
    // Rows first, so a file is never referenced after it is gone; a leftover file is only wasted space.
    const removed = await db
      .delete(attachments)
      .where(
        and(
          inArray(
            attachments.id,
            stale.map((file) => file.id),
          ),
          isNull(attachments.messageId),
        ),
      )
      .returning({ storageKey: attachments.storageKey, thumbnailKey: attachments.thumbnailKey });
    for (const file of removed) {
      for (const key of [file.storageKey, file.thumbnailKey]) {
        if (key)
          await storage
            .delete(key)
            .catch((error: unknown) => logger.warn({ err: error, key }, "could not delete an unsent upload's file"));
      }
    }
    logger.info({ count: removed.length }, "removed unsent uploads");
  },
});
