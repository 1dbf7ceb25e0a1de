import type { Socket } from "socket.io";
import type { ConversationServices } from "./modules/conversations/commit-change.ts";
import { messageSocketEvents } from "./modules/messages/messages.socket-events.ts";
import { visitorSocketEvents } from "./modules/widget/widget.socket-events.ts";
import type { RequestIdentity } from "./platform/identity.ts";
import type { VisitorIdentity } from "./platform/realtime.ts";

/**
 * What runs when an agent or visitor socket connects (presence, visitors online…): each hook gets
 * the socket and may listen for its "disconnect". Modules add theirs here.
 */
export const agentConnectionHooks: ReadonlyArray<
  (socket: Socket, identity: RequestIdentity, services: ConversationServices) => void
> = [];
export const visitorConnectionHooks: ReadonlyArray<
  (socket: Socket, visitor: VisitorIdentity, services: ConversationServices) => void
> = [];

/** Every client-to-server event of the `/agent` namespace; modules add theirs here. */
export const agentSocketEvents = (services: ConversationServices) => [...messageSocketEvents(services)];

/** Every client-to-server event of the `/widget` namespace. */
export const widgetSocketEvents = (services: ConversationServices) => [...visitorSocketEvents(services)];
