import { ZVisitorReactRequest } from "@parley/shared";
import type { ParleyModule } from "../../platform/parley-module.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { allowVisitor, defineSocketEvent } from "../../platform/socket-events.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { pruneUnsentUploadsTask } from "./attachments-cleanup.ts";
import { recordMentions } from "./mentions.ts";
import { reactAsVisitor } from "./message-actions.service.ts";
import { messageSocketEvents } from "./messages.socket-events.ts";
import { visitorReceiptEvents } from "./read-receipts.ts";
import { agentTypingEvents, visitorTypingEvents } from "./typing.socket-events.ts";

/** Visitors react to public messages of their own conversations. */
const visitorReactionEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "message.react",
    authorize: allowVisitor,
    payload: ZVisitorReactRequest,
    ratePerSecond: 5,
    handle: async (visitor: VisitorIdentity, request) => reactAsVisitor(services, visitor, request),
  }),
];

export const messagesModule: ParleyModule = {
  tasks: [pruneUnsentUploadsTask],
  cron: [{ task: pruneUnsentUploadsTask.name, match: "41 4 * * *" }],
  domainEventHandlers: [recordMentions],
  agentSocketEvents: (services) => [...messageSocketEvents(services), ...agentTypingEvents(services)],
  widgetSocketEvents: (services) => [
    ...visitorReceiptEvents(services),
    ...visitorReactionEvents(services),
    ...visitorTypingEvents(services),
  ],
};
