import type { ParleyModule } from "../../platform/parley-module.ts";
import { purgeAnonymousVisitorsTask } from "./visitor-retention.ts";

export const contactsModule: ParleyModule = {
  tasks: [purgeAnonymousVisitorsTask],
  cron: [{ task: purgeAnonymousVisitorsTask.name, match: "23 3 * * *" }],
};
