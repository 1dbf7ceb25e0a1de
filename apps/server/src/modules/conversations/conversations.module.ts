import type { ParleyModule } from "../../platform/parley-module.ts";
import { autoCloseTask, conversationTasks, wakeSnoozedTask } from "./conversations.tasks.ts";
import { noteContactReopen } from "./system-messages.ts";

export const conversationsModule: ParleyModule = {
  // Read lazily: the tasks import the commit path, which imports the module list back.
  get tasks() {
    return conversationTasks;
  },
  get cron() {
    return [
      { task: wakeSnoozedTask.name, match: "* * * * *" },
      { task: autoCloseTask.name, match: "* * * * *" },
    ];
  },
  domainEventHandlers: [noteContactReopen],
};
