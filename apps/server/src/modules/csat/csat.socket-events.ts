import { ZCsatSubmit, ZVisitorTranscriptRequest } from "@parley/shared";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { allowVisitor, defineSocketEvent } from "../../platform/socket-events.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { sendTranscriptToVisitor, submitCsat } from "./csat.service.ts";

/** What a visitor's widget may send about ratings and transcripts. */
export const csatWidgetEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "csat.submit",
    authorize: allowVisitor,
    payload: ZCsatSubmit,
    ratePerSecond: 5,
    handle: async (visitor: VisitorIdentity, request) => submitCsat(services, visitor, request),
  }),
  defineSocketEvent({
    name: "transcript.request",
    authorize: allowVisitor,
    payload: ZVisitorTranscriptRequest,
    // Each request sends a mail to an address the visitor chooses: keep it slow.
    ratePerSecond: 1,
    handle: async (visitor: VisitorIdentity, request) => sendTranscriptToVisitor(services, visitor, request),
  }),
];
