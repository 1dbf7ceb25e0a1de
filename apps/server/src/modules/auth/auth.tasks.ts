import { z } from "zod";
import { defineTask } from "../../platform/queue/tasks.ts";
import { pruneExpiredSessions } from "./auth.service.ts";
import { pruneOneTimeTokens } from "./one-time-tokens.ts";

export const pruneSessionsTask = defineTask({
  name: "auth.prune_sessions",
  payload: z.looseObject({}),
  maxAttempts: 3,
  run: async (_payload, { db, logger }) => {
    const count = await pruneExpiredSessions(db);
    if (count > 0) logger.info({ count }, "pruned expired sessions");
    const tokens = await pruneOneTimeTokens(db);
    if (tokens > 0) logger.info({ count: tokens }, "pruned used and expired one-time tokens");
  },
});
