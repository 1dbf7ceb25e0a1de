import type { ParleyModule } from "../../platform/parley-module.ts";
import { metaTokenCheckTask } from "./messenger/meta-token-check.task.ts";
import { queueChannelSend, sendChannelMessageTask } from "./outbound.ts";
import { processChannelEventTask } from "./process-event.task.ts";

export const channelsModule: ParleyModule = {
  tasks: [processChannelEventTask, sendChannelMessageTask, metaTokenCheckTask],
  domainEventHandlers: [queueChannelSend],
  // Daily, so a page token about to expire shows as "expiring" a week ahead.
  cron: [{ task: metaTokenCheckTask.name, match: "41 4 * * *" }],
};
