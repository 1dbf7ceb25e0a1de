import type { ParleyModule } from "../../../platform/parley-module.ts";
import { emailCron, emailTasks } from "./email-imap-sync.ts";

/** IMAP polling for email inboxes (the adapter itself is in the channel registry). */
export const emailChannelModule: ParleyModule = {
  // Read lazily: the sync imports the send path, which imports the module list back.
  get tasks() {
    return emailTasks;
  },
  get cron() {
    return emailCron;
  },
};
