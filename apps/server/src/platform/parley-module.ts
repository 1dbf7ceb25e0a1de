import type { Socket } from "socket.io";
import type { ConversationServices } from "../modules/conversations/commit-change.ts";
import type { DomainEvent, DomainEventHandler } from "./domain-events.ts";
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
  /**
   * Runs after a conversation change committed and its events went to sockets (e.g. telling waiting
   * visitors their new queue position). Failures are logged: the change itself already happened.
   */
  afterCommit?: (services: ConversationServices, events: readonly DomainEvent[]) => Promise<void>;
  /** Runs when an agent socket connects; may listen for its "disconnect". */
  onAgentConnect?: (socket: Socket, identity: RequestIdentity, services: ConversationServices) => void;
  onVisitorConnect?: (socket: Socket, visitor: VisitorIdentity, services: ConversationServices) => void;
};
