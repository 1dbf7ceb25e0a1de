import { ZPresenceSetEvent, ZQueueStatusRequest } from "@parley/shared";
import type { Socket } from "socket.io";
import type { RequestIdentity } from "../../platform/identity.ts";
import { rooms, type VisitorIdentity } from "../../platform/realtime.ts";
import { allowVisitor, defineSocketEvent, requireSocketPermission } from "../../platform/socket-events.ts";
import { socketActorOf } from "../audit/audit.service.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { announceVisit, endVisit } from "../widget/visits.ts";
import { markVisitorConversationsMissed } from "./away.ts";
import { recordAgentConnected, recordAgentDisconnected, setPresence } from "./presence.ts";
import { presenceTiming } from "./presence-timing.ts";
import { queueStatus } from "./queue.ts";

/** Agent socket events of routing: choosing one's presence. */
export const routingAgentSocketEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "presence.set",
    authorize: requireSocketPermission("authenticated"),
    payload: ZPresenceSetEvent,
    ratePerSecond: 2,
    handle: async (identity: RequestIdentity, request, socket) => {
      // setPresence tells the whole workspace through "presence.updated".
      return setPresence(services, identity, request, socketActorOf(identity, socket));
    },
  }),
];

/** Widget socket events of routing: where the visitor's conversation stands in the queue. */
export const routingWidgetSocketEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "queue.status",
    authorize: allowVisitor,
    payload: ZQueueStatusRequest,
    ratePerSecond: 5,
    handle: async (visitor: VisitorIdentity, request) => queueStatus(services.db, visitor, request.conversationId),
  }),
];

/**
 * Counts a member's sockets for presence. Failures here must not break the connection; the count
 * heals on the next connect/disconnect pair at worst.
 */
export const trackAgentSockets = (socket: Socket, identity: RequestIdentity, services: ConversationServices): void => {
  const userId = identity.userId;
  if (!userId || identity.kind !== "session") return;
  const connected = recordAgentConnected(services, identity.workspaceId, userId).catch(() => undefined);
  socket.on("disconnect", () => {
    void connected.then(() => recordAgentDisconnected(services.db, identity.workspaceId, userId)).catch(() => undefined);
  });
};

/** Visitors whose socket on this process closed, each waiting out the grace before the check that they left. */
const leaving = new Map<string, NodeJS.Timeout>();

/**
 * When a visitor has had no widget socket open (on any node: `fetchSockets` asks every node through
 * the adapter) for the grace period, they left: their unanswered conversations become missed, and
 * their visit ends at the moment the last socket closed. Moving to the
 * next page of the site closes the widget's socket and opens another within a second: that is not
 * leaving. A reconnect storm's thousands of closes cost nothing here for those who come back. The
 * wait lives in this process, so a restart during it forgets those checks: a conversation may then
 * stay unmarked, never wrongly marked.
 */
export const watchVisitorLeaving = (socket: Socket, visitor: VisitorIdentity, services: ConversationServices): void => {
  const key = `${visitor.inboxId}:${visitor.visitorId}`;
  clearTimeout(leaving.get(key));
  leaving.delete(key);
  socket.on("disconnect", () => {
    clearTimeout(leaving.get(key));
    const leftAt = new Date();
    const check = setTimeout(() => {
      leaving.delete(key);
      void (async () => {
        const remaining = await socket.nsp.in(rooms.visitor(visitor.inboxId, visitor.visitorId)).fetchSockets();
        if (remaining.length > 0) return;
        await markVisitorConversationsMissed(services, visitor);
        const ended = await endVisit(services.db, visitor, leftAt);
        if (ended) announceVisit(services, visitor, ended.contactId, ended);
      })().catch((error: unknown) => services.logger.warn({ err: error }, "could not check whether a visitor left"));
    }, presenceTiming.visitorGoneAfterDisconnectMs);
    // A pending check never keeps a stopping process alive.
    check.unref();
    leaving.set(key, check);
  });
};
