import {
  ZCreateInboxRequest,
  ZErrorResponse,
  ZInbox,
  ZInboxDetail,
  ZInboxList,
  ZInboxMemberList,
  ZInboxParams,
  ZInboxSecret,
  ZInboxTeamList,
  ZSetInboxMembersRequest,
  ZSetInboxTeamsRequest,
  ZUpdateInboxRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { releaseChannelOfDeletedInbox } from "../channels/connections.service.ts";
import {
  createInbox,
  deleteInbox,
  getInbox,
  listInboxes,
  listInboxMembers,
  rotateInboxSecret,
  setInboxMembers,
  setInboxTeams,
  updateInbox,
} from "./inboxes.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse };

/** Inboxes: members read those they work (managers and view-all read all); `inboxes.manage` changes them. */
export const inboxesRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const { db } = services;

  app.get("/inboxes", {
    config: { access: "authenticated" },
    schema: {
      tags: ["inboxes"],
      summary: "Inboxes you work, or all of them with inboxes.manage or conversations.view_all",
      response: { 200: ZInboxList, ...readErrors },
    },
    handler: async (request) => ({ items: await listInboxes(db, requireIdentity(request)) }),
  });

  app.get("/inboxes/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["inboxes"],
      summary: "One inbox with its members and teams",
      params: ZInboxParams,
      response: { 200: ZInboxDetail, ...readErrors, 404: ZErrorResponse },
    },
    handler: async (request) => getInbox(db, requireIdentity(request), request.params.id),
  });

  app.post("/inboxes", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["inboxes"],
      summary: "Create an inbox; a website inbox gets its widget token and identity-verification secret",
      body: ZCreateInboxRequest,
      response: { 201: ZInbox, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const inbox = await createInbox(services, identity.workspaceId, request.body, actorOf(identity, request));
      return reply.status(201).send(inbox);
    },
  });

  app.patch("/inboxes/:id", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["inboxes"],
      summary: "Change an inbox's name or settings",
      params: ZInboxParams,
      body: ZUpdateInboxRequest,
      response: { 200: ZInbox, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateInbox(services, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/inboxes/:id", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["inboxes"],
      summary: "Delete an inbox; its conversations stay in history and its widget token stops working",
      params: ZInboxParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const actor = actorOf(identity, request);
      await releaseChannelOfDeletedInbox(services, identity.workspaceId, request.params.id, actor);
      await deleteInbox(services, identity.workspaceId, request.params.id, actor);
      return reply.status(204).send(null);
    },
  });

  app.post("/inboxes/:id/secret/rotate", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["inboxes"],
      summary: "Replace the identity-verification secret; the new one is shown only in this answer",
      params: ZInboxParams,
      response: { 200: ZInboxSecret, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return rotateInboxSecret(services, identity.workspaceId, request.params.id, actorOf(identity, request));
    },
  });

  app.get("/inboxes/:id/members", {
    config: { access: "authenticated" },
    schema: {
      tags: ["inboxes"],
      summary: "The agents who work an inbox",
      params: ZInboxParams,
      response: { 200: ZInboxMemberList, ...readErrors, 404: ZErrorResponse },
    },
    handler: async (request) => ({ items: await listInboxMembers(db, requireIdentity(request), request.params.id) }),
  });

  app.put("/inboxes/:id/members", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["inboxes"],
      summary: "Replace an inbox's agents; their open sockets start or stop receiving its conversations",
      params: ZInboxParams,
      body: ZSetInboxMembersRequest,
      response: { 200: ZInboxMemberList, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      const items = await setInboxMembers(
        services,
        identity.workspaceId,
        request.params.id,
        request.body,
        actorOf(identity, request),
      );
      return { items };
    },
  });

  app.put("/inboxes/:id/teams", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["inboxes"],
      summary: "Replace the teams that work an inbox",
      params: ZInboxParams,
      body: ZSetInboxTeamsRequest,
      response: { 200: ZInboxTeamList, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      const items = await setInboxTeams(
        services,
        identity.workspaceId,
        request.params.id,
        request.body,
        actorOf(identity, request),
      );
      return { items };
    },
  });
};
