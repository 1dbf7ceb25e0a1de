import type { ParleyModule } from "../../platform/parley-module.ts";
import { announceVisitorsOnline } from "./visitors-online.ts";
import { visitorSocketEvents } from "./widget.socket-events.ts";

export const widgetModule: ParleyModule = { widgetSocketEvents: visitorSocketEvents, onVisitorConnect: announceVisitorsOnline };
