import {
  ZBulkAccepted,
  ZBulkProgress,
  ZBulkRequest,
  ZChangeStatusRequest,
  ZConversation,
  ZConversationCounts,
  ZConversationListQuery,
  ZConversationPage,
  ZErrorResponse,
  ZSnoozeRequest,
  ZUpdateConversationRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { getBulkOperation, requestBulkOperation } from "./bulk-operations.ts";
import { loadConversationDtos } from "./conversation-dto.ts";
import { countConversations, listConversations } from "./conversation-list.ts";
import { changeConversation, markRead, markUnread, updateConversation } from "./conversations.service.ts";
import { findVisibleConversation } from "./visibility.ts";

const ZConversationParams = z.strictObject({ id: z.uuid({ message: "must be a conversation id" }) });
const changeResponses = {
  200: ZConversation,
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  404: ZErrorResponse,
};

export const conversationsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const { db } = services;

  app.get("/conversations", {
    // Everyone lists; the visibility rule (inboxes, assignment, view_all) narrows what they see.
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "A page of the conversations you can see, filtered and sorted, with a cursor",
      querystring: ZConversationListQuery,
      response: { 200: ZConversationPage, 400: ZErrorResponse, 401: ZErrorResponse },
    },
    handler: async (request) => listConversations(db, requireIdentity(request), request.query),
  });

  app.get("/conversations/counts", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "Open and pending conversations per view (mine, unassigned, all, mentions)",
      response: { 200: ZConversationCounts, 401: ZErrorResponse },
    },
    handler: async (request) => countConversations(db, requireIdentity(request)),
  });

  app.get("/conversations/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "One conversation you can see",
      params: ZConversationParams,
      response: { 200: ZConversation, 400: ZErrorResponse, 401: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      const conversation = await findVisibleConversation(db, identity, request.params.id);
      const [dto] = await loadConversationDtos(db, [conversation.id], identity.userId);
      if (!dto) throw new AppError("not_found", "No conversation with this id that you can see.");
      return dto;
    },
  });

  // Lifecycle: conversations.manage, or the conversation is assigned to the caller (checked per conversation).
  app.post("/conversations/:id/status", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "Open, set pending, resolve or close a conversation",
      params: ZConversationParams,
      body: ZChangeStatusRequest,
      response: changeResponses,
    },
    handler: async (request) =>
      changeConversation(services, { identity: requireIdentity(request), request }, request.params.id, {
        type: "status",
        status: request.body.status,
      }),
  });

  app.post("/conversations/:id/snooze", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "Snooze a conversation until a time, or until the contact replies (until: null)",
      params: ZConversationParams,
      body: ZSnoozeRequest,
      response: changeResponses,
    },
    handler: async (request) => {
      const until = request.body.until ? new Date(request.body.until) : null;
      if (until && until.getTime() <= Date.now()) {
        throw new AppError("validation_failed", "Snooze until a time in the future.", [
          { path: "until", message: "must be in the future" },
        ]);
      }
      return changeConversation(services, { identity: requireIdentity(request), request }, request.params.id, {
        type: "snooze",
        until,
      });
    },
  });

  app.patch("/conversations/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "Change a conversation's priority or labels (labels from the workspace's catalogue)",
      params: ZConversationParams,
      body: ZUpdateConversationRequest,
      response: changeResponses,
    },
    handler: async (request) =>
      updateConversation(services, { identity: requireIdentity(request), request }, request.params.id, request.body),
  });

  for (const type of ["archive", "unarchive"] as const) {
    app.post(`/conversations/:id/${type}`, {
      config: { access: "authenticated" },
      schema: {
        tags: ["conversations"],
        summary:
          type === "archive" ? "Archive a conversation (hidden from default lists)" : "Bring an archived conversation back",
        params: ZConversationParams,
        response: changeResponses,
      },
      handler: async (request) =>
        changeConversation(services, { identity: requireIdentity(request), request }, request.params.id, { type }),
    });
  }

  app.post("/conversations/:id/read", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "Mark a conversation read for yourself, up to its last message",
      params: ZConversationParams,
      response: { 200: ZConversation, 400: ZErrorResponse, 401: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => markRead(services, requireIdentity(request), request.params.id),
  });

  app.post("/conversations/:id/unread", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "Mark a conversation unread for yourself, from the contact's last message",
      params: ZConversationParams,
      response: { 200: ZConversation, 400: ZErrorResponse, 401: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => markUnread(services, requireIdentity(request), request.params.id),
  });

  app.post("/conversations/bulk", {
    config: { access: "conversations.manage" },
    schema: {
      tags: ["conversations"],
      summary: "Apply an action to many conversations (ids or a list filter) in the background",
      body: ZBulkRequest,
      response: { 202: ZBulkAccepted, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request, reply) =>
      reply.status(202).send(await requestBulkOperation(services, { identity: requireIdentity(request), request }, request.body)),
  });

  app.get("/conversations/bulk/:id", {
    config: { access: "conversations.manage" },
    schema: {
      tags: ["conversations"],
      summary: "Progress of a bulk operation",
      params: z.strictObject({ id: z.uuid({ message: "must be a bulk operation id" }) }),
      response: { 200: ZBulkProgress, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => getBulkOperation(db, requireIdentity(request), request.params.id),
  });
};
