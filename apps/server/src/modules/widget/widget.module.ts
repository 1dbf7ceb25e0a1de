import type { ParleyModule } from "../../platform/parley-module.ts";
import { emailFollowUpHandler } from "./visitor-activity.ts";
import { announceVisitorsOnline, closeBannedWidget } from "./visitors-online.ts";
import { visitorSocketEvents } from "./widget.socket-events.ts";

export const widgetModule: ParleyModule = {
  widgetSocketEvents: visitorSocketEvents,
  onVisitorConnect: (socket, visitor, services) => {
    closeBannedWidget(socket, visitor, services);
    announceVisitorsOnline(socket, visitor, services);
  },
  domainEventHandlers: [emailFollowUpHandler],
};
