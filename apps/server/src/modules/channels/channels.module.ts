import type { ParleyModule } from "../../platform/parley-module.ts";
import { markReadOnPlatformTask } from "./mark-read.task.ts";
import { metaTokenCheckTask } from "./messenger/meta-token-check.task.ts";
import { queueChannelSend, sendChannelMessageTask } from "./outbound.ts";
import { processChannelEventTask } from "./process-event.task.ts";

/**
 * Read through getters: the channel files import the conversation core, which imports the module
 * list, so these bindings may not be initialised yet when this object is created.
 */
export const channelsModule: ParleyModule = {
  get tasks() {
    return [processChannelEventTask, sendChannelMessageTask, markReadOnPlatformTask, metaTokenCheckTask];
  },
  get domainEventHandlers() {
    return [queueChannelSend];
  },
  get cron() {
    // Daily, so a page token about to expire shows as "expiring" a week ahead.
    return [{ task: metaTokenCheckTask.name, match: "41 4 * * *" }];
  },
};
