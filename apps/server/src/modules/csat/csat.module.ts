import type { ParleyModule } from "../../platform/parley-module.ts";
import { onConversationResolved } from "./csat.service.ts";
import { csatWidgetEvents } from "./csat.socket-events.ts";

export const csatModule: ParleyModule = {
  domainEventHandlers: [onConversationResolved],
  widgetSocketEvents: csatWidgetEvents,
};
