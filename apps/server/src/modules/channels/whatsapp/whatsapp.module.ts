import { z } from "zod";
import type { ParleyModule } from "../../../platform/parley-module.ts";
import { defineTask } from "../../../platform/queue/tasks.ts";
import { checkWhatsAppTemplate, syncAllWhatsAppTemplates } from "./whatsapp-templates.service.ts";

/** Hourly: WhatsApp reviews new templates within minutes to hours, and may pause or disable approved ones. */
export const syncWhatsAppTemplatesTask = defineTask({
  name: "channels.whatsapp_sync_templates",
  payload: z.looseObject({}),
  maxAttempts: 3,
  run: async (_payload, context) => syncAllWhatsAppTemplates(context),
});

export const whatsappModule: ParleyModule = {
  // Read lazily: the template check imports the send path, which imports the module list back.
  get tasks() {
    return [syncWhatsAppTemplatesTask];
  },
  get cron() {
    return [{ task: syncWhatsAppTemplatesTask.name, match: "23 * * * *" }];
  },
  get domainEventHandlers() {
    return [checkWhatsAppTemplate];
  },
};
