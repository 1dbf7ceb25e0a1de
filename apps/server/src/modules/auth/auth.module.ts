import type { ParleyModule } from "../../platform/parley-module.ts";
import { pruneSessionsTask } from "./auth.tasks.ts";

export const authModule: ParleyModule = {
  tasks: [pruneSessionsTask],
  cron: [{ task: pruneSessionsTask.name, match: "17 3 * * *" }],
};
