import {
  ZErrorResponse,
  ZInternalChat,
  ZInternalChatList,
  ZInternalChatParams,
  ZInternalMessage,
  ZInternalMessagePage,
  ZInternalMessagesQuery,
  ZInternalReadState,
  ZMarkInternalReadRequest,
  ZOpenDirectChatRequest,
  ZOpenTeamChatRequest,
  ZSendInternalMessageRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import {
  listInternalMessages,
  listMyChats,
  markInternalChatRead,
  memberOf,
  openDirectChat,
  openTeamChat,
  publishInternalMessage,
  sendInternalMessage,
} from "./internal-chats.service.ts";

const errors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };

/**
 * Agent-to-agent chats. Any member takes part in their own chats (checked per chat: others'
 * answer 404); contacts never reach them. New messages reach members' sockets as `internal.message`.
 */
export const internalChatsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/internal-chats", {
    config: { access: "authenticated" },
    schema: {
      tags: ["internal-chats"],
      summary: "Your direct and team chats with their last message and unread count",
      response: { 200: ZInternalChatList, ...errors },
    },
    handler: async (request) => ({ items: await listMyChats(services.db, memberOf(requireIdentity(request))) }),
  });

  app.post("/internal-chats/direct", {
    config: { access: "authenticated" },
    schema: {
      tags: ["internal-chats"],
      summary: "Find or start the direct chat with another member (201 new, 200 existing)",
      body: ZOpenDirectChatRequest,
      response: { 200: ZInternalChat, 201: ZInternalChat, ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const opened = await openDirectChat(services, memberOf(identity), request.body.userId, actorOf(identity, request));
      return reply.status(opened.isNew ? 201 : 200).send(opened.chat);
    },
  });

  app.post("/internal-chats/team", {
    config: { access: "authenticated" },
    schema: {
      tags: ["internal-chats"],
      summary: "Find or start the group chat of a team you belong to (201 new, 200 existing)",
      body: ZOpenTeamChatRequest,
      response: { 200: ZInternalChat, 201: ZInternalChat, ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const opened = await openTeamChat(services, memberOf(identity), request.body.teamId, actorOf(identity, request));
      return reply.status(opened.isNew ? 201 : 200).send(opened.chat);
    },
  });

  app.get("/internal-chats/:id/messages", {
    config: { access: "authenticated" },
    schema: {
      tags: ["internal-chats"],
      summary: "A page of a chat's messages, oldest first, before a seq",
      params: ZInternalChatParams,
      querystring: ZInternalMessagesQuery,
      response: { 200: ZInternalMessagePage, ...errors },
    },
    handler: async (request) =>
      listInternalMessages(services.db, memberOf(requireIdentity(request)), request.params.id, request.query),
  });

  app.post("/internal-chats/:id/messages", {
    config: { access: "authenticated" },
    schema: {
      tags: ["internal-chats"],
      summary: "Write in a chat; the same clientId twice stores one message (201 new, 200 repeat)",
      params: ZInternalChatParams,
      body: ZSendInternalMessageRequest,
      response: { 200: ZInternalMessage, 201: ZInternalMessage, ...errors },
    },
    handler: async (request, reply) => {
      const sent = await sendInternalMessage(services.db, memberOf(requireIdentity(request)), request.params.id, request.body);
      if (!sent.isDuplicate) publishInternalMessage(services, sent.recipientUserIds, sent.message);
      return reply.status(sent.isDuplicate ? 200 : 201).send(sent.message);
    },
  });

  app.post("/internal-chats/:id/read", {
    config: { access: "authenticated" },
    schema: {
      tags: ["internal-chats"],
      summary: "Move your read mark forward to a seq",
      params: ZInternalChatParams,
      body: ZMarkInternalReadRequest,
      response: { 200: ZInternalReadState, ...errors },
    },
    handler: async (request) =>
      markInternalChatRead(services.db, memberOf(requireIdentity(request)), request.params.id, request.body.upToSeq),
  });
};
