import {
  ZOfflineSubmit,
  ZResyncRequest,
  ZTriggerFired,
  ZVisitorAttributes,
  ZVisitorConversationsList,
  ZVisitorIdentify,
  ZVisitorPage,
  ZVisitorProfile,
  ZVisitorSendMessage,
  ZVisitorTrack,
} from "@parley/shared";
import type { Socket } from "socket.io";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { allowVisitor, defineSocketEvent } from "../../platform/socket-events.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import {
  assertVisitorAllowed,
  fireTrigger,
  listVisitorConversations,
  recordVisitorPage,
  submitOfflineForm,
  trackVisitorEvent,
} from "./visitor-activity.ts";
import { identifyVisitor, setVisitorAttributes, submitVisitorProfile } from "./visitor-identity.ts";
import { resyncVisitor, sendVisitorMessage } from "./visitor-messages.ts";

/** Per widget socket, the admission of its latest message. */
const admissions = new WeakMap<Socket, Promise<void>>();

/** What a visitor's widget may send over the `/widget` socket. A banned visitor's events are refused. */
export const visitorSocketEvents = (services: ConversationServices) => {
  const guarded =
    <Payload, Result>(handle: (visitor: VisitorIdentity, payload: Payload) => Promise<Result>) =>
    async (visitor: VisitorIdentity, payload: Payload, socket: Socket): Promise<Result> => {
      await assertVisitorAllowed(services, visitor, socket);
      return handle(visitor, payload);
    };
  return [
    defineSocketEvent({
      name: "message.send",
      authorize: allowVisitor,
      payload: ZVisitorSendMessage,
      ratePerSecond: 5,
      // In order: a socket's messages reach the group writer in the order the visitor sent them,
      // whatever each one's ban check costs; the next one waits for this one's admission only.
      handle: (visitor: VisitorIdentity, request, socket) => {
        const admitted = (admissions.get(socket) ?? Promise.resolve())
          .catch(() => undefined)
          .then(() => assertVisitorAllowed(services, visitor, socket));
        admissions.set(socket, admitted);
        return admitted.then(() => sendVisitorMessage(services, visitor, request));
      },
    }),
    defineSocketEvent({
      name: "conversation.resync",
      authorize: allowVisitor,
      payload: ZResyncRequest,
      ratePerSecond: 10,
      handle: guarded((visitor, request) => resyncVisitor(services, visitor, request)),
    }),
    defineSocketEvent({
      name: "visitor.identify",
      authorize: allowVisitor,
      payload: ZVisitorIdentify,
      ratePerSecond: 2,
      handle: guarded((visitor, request) => identifyVisitor(services, visitor, request)),
    }),
    defineSocketEvent({
      name: "visitor.attributes",
      authorize: allowVisitor,
      payload: ZVisitorAttributes,
      ratePerSecond: 5,
      handle: guarded((visitor, request) => setVisitorAttributes(services, visitor, request.attributes)),
    }),
    defineSocketEvent({
      name: "visitor.track",
      authorize: allowVisitor,
      payload: ZVisitorTrack,
      ratePerSecond: 10,
      handle: guarded((visitor, request) => trackVisitorEvent(services, visitor, request)),
    }),
    defineSocketEvent({
      name: "visitor.page",
      authorize: allowVisitor,
      payload: ZVisitorPage,
      ratePerSecond: 5,
      handle: guarded((visitor, request) => recordVisitorPage(services, visitor, request)),
    }),
    defineSocketEvent({
      name: "visitor.profile",
      authorize: allowVisitor,
      payload: ZVisitorProfile,
      ratePerSecond: 2,
      handle: guarded((visitor, request) => submitVisitorProfile(services, visitor, request.fields)),
    }),
    defineSocketEvent({
      name: "offline.submit",
      authorize: allowVisitor,
      payload: ZOfflineSubmit,
      ratePerSecond: 2,
      handle: guarded((visitor, request) => submitOfflineForm(services, visitor, request)),
    }),
    defineSocketEvent({
      name: "trigger.fired",
      authorize: allowVisitor,
      payload: ZTriggerFired,
      ratePerSecond: 5,
      handle: guarded((visitor, request) => fireTrigger(services, visitor, request.triggerId)),
    }),
    defineSocketEvent({
      name: "conversations.list",
      authorize: allowVisitor,
      payload: ZVisitorConversationsList,
      ratePerSecond: 2,
      handle: guarded((visitor) => listVisitorConversations(services, visitor)),
    }),
  ];
};
