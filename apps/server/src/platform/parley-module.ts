import type { Socket } from "socket.io";
import type { ConversationServices } from "../modules/conversations/commit-change.ts";
import type { DomainEventHandler } from "./domain-events.ts";
import type { RequestIdentity } from "./identity.ts";
import type { CronItem, TaskDefinition } from "./queue/tasks.ts";
import type { VisitorIdentity } from "./realtime.ts";
import type { SocketEvent } from "./socket-events.ts";

/**
 * What a module contributes besides its HTTP routes: background tasks and their schedule,
 * in-transaction reactions to conversation events, socket events, and socket connection hooks.
 */
export type ParleyModule = {
  tasks?: readonly TaskDefinition[];
  cron?: readonly CronItem[];
  domainEventHandlers?: readonly DomainEventHandler[];
  // biome-ignore lint/suspicious/noExplicitAny: each event parses its own payload schema.
  agentSocketEvents?: (services: ConversationServices) => ReadonlyArray<SocketEvent<RequestIdentity, any, unknown>>;
  // biome-ignore lint/suspicious/noExplicitAny: each event parses its own payload schema.
  widgetSocketEvents?: (services: ConversationServices) => ReadonlyArray<SocketEvent<VisitorIdentity, any, unknown>>;
  /** Runs when an agent socket connects; may listen for its "disconnect". */
  onAgentConnect?: (socket: Socket, identity: RequestIdentity, services: ConversationServices) => void;
  onVisitorConnect?: (socket: Socket, visitor: VisitorIdentity, services: ConversationServices) => void;
};
