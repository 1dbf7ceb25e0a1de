import type { ParleyModule } from "../../platform/parley-module.ts";
import { webhookDeliveryTask } from "./webhook-delivery.ts";
import { queueWebhookDeliveries } from "./webhook-events.ts";

export const webhooksModule: ParleyModule = {
  tasks: [webhookDeliveryTask],
  domainEventHandlers: [queueWebhookDeliveries],
};
