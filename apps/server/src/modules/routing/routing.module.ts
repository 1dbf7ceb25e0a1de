import type { ParleyModule } from "../../platform/parley-module.ts";
import { autoAssignHandler, drainQueueTask } from "./auto-assign.ts";
import { awayMessageHandler } from "./away.ts";
import { markAwayTask } from "./presence.ts";
import { publishQueuePositions } from "./queue-updates.ts";
import { releaseMemberConversationsTask } from "./release-member.ts";
import {
  routingAgentSocketEvents,
  routingWidgetSocketEvents,
  trackAgentSockets,
  watchVisitorLeaving,
} from "./routing.socket-events.ts";

/** Assignment, presence, queues and away messages. */
export const routingModule: ParleyModule = {
  tasks: [drainQueueTask, markAwayTask, releaseMemberConversationsTask],
  domainEventHandlers: [autoAssignHandler, awayMessageHandler],
  agentSocketEvents: routingAgentSocketEvents,
  widgetSocketEvents: routingWidgetSocketEvents,
  onAgentConnect: trackAgentSockets,
  onVisitorConnect: watchVisitorLeaving,
  afterCommit: publishQueuePositions,
};
