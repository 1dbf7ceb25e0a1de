import type { ParleyModule } from "../../platform/parley-module.ts";
import { instagramTokenRefreshTask } from "./instagram/instagram-token-refresh.task.ts";
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
    return [
      processChannelEventTask,
      sendChannelMessageTask,
      markReadOnPlatformTask,
      metaTokenCheckTask,
      instagramTokenRefreshTask,
    ];
  },
  get domainEventHandlers() {
    return [queueChannelSend];
  },
  get cron() {
    return [
      // Daily, so a page token about to expire shows as "expiring" a week ahead.
      { task: metaTokenCheckTask.name, match: "41 4 * * *" },
      // Daily, so Instagram Login tokens are renewed well within their last 10 days.
      { task: instagramTokenRefreshTask.name, match: "23 5 * * *" },
    ];
  },
};
