import { ZResyncRequest, ZVisitorSendMessage } from "@parley/shared";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { allowVisitor, defineSocketEvent } from "../../platform/socket-events.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { resyncVisitor, sendVisitorMessage } from "./visitor-messages.ts";

/** What a visitor's widget may send over the `/widget` socket. */
export const visitorSocketEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "message.send",
    authorize: allowVisitor,
    payload: ZVisitorSendMessage,
    ratePerSecond: 5,
    handle: async (visitor: VisitorIdentity, request) => sendVisitorMessage(services, visitor, request),
  }),
  defineSocketEvent({
    name: "conversation.resync",
    authorize: allowVisitor,
    payload: ZResyncRequest,
    ratePerSecond: 10,
    handle: async (visitor: VisitorIdentity, request) => resyncVisitor(services, visitor, request),
  }),
];
