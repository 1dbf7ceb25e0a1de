import type { ParleyModule } from "../../platform/parley-module.ts";
import { queueChannelSend, sendChannelMessageTask } from "./outbound.ts";
import { processChannelEventTask } from "./process-event.task.ts";

export const channelsModule: ParleyModule = {
  tasks: [processChannelEventTask, sendChannelMessageTask],
  domainEventHandlers: [queueChannelSend],
};
