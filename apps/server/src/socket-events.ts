import type { Socket } from "socket.io";
import type { ConversationServices } from "./modules/conversations/commit-change.ts";
import { parleyModules } from "./parley-modules.ts";
import type { RequestIdentity } from "./platform/identity.ts";
import type { VisitorIdentity } from "./platform/realtime.ts";

/** Every client-to-server event of the `/agent` namespace, from every module. */
export const agentSocketEvents = (services: ConversationServices) =>
  parleyModules().flatMap((module) => module.agentSocketEvents?.(services) ?? []);

/** Every client-to-server event of the `/widget` namespace. */
export const widgetSocketEvents = (services: ConversationServices) =>
  parleyModules().flatMap((module) => module.widgetSocketEvents?.(services) ?? []);

export const runAgentConnectionHooks = (socket: Socket, identity: RequestIdentity, services: ConversationServices): void => {
  for (const module of parleyModules()) module.onAgentConnect?.(socket, identity, services);
};

export const runVisitorConnectionHooks = (socket: Socket, visitor: VisitorIdentity, services: ConversationServices): void => {
  for (const module of parleyModules()) module.onVisitorConnect?.(socket, visitor, services);
};
