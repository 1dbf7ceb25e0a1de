import type { ConversationServices } from "./modules/conversations/commit-change.ts";
import { messageSocketEvents } from "./modules/messages/messages.socket-events.ts";
import { visitorSocketEvents } from "./modules/widget/widget.socket-events.ts";

/** Every client-to-server event of the `/agent` namespace; modules add theirs here. */
export const agentSocketEvents = (services: ConversationServices) => [...messageSocketEvents(services)];

/** Every client-to-server event of the `/widget` namespace. */
export const widgetSocketEvents = (services: ConversationServices) => [...visitorSocketEvents(services)];
