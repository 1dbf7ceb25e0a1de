import {
  ZErrorResponse,
  ZPlatformListQuery,
  ZPlatformUserPage,
  ZPlatformWorkspace,
  ZPlatformWorkspacePage,
  ZSuspendWorkspaceRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { listPlatformUsers, listPlatformWorkspaces, reactivateWorkspace, suspendWorkspace } from "./platform.service.ts";

const ZWorkspaceParams = z.strictObject({ id: z.uuid({ message: "must be a workspace id" }) });

/** For Parley operators (users flagged with `parley admin:grant`): every workspace and user of this installation. */
export const platformRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/platform/workspaces", {
    config: { access: "platform_admin" },
    schema: {
      tags: ["platform"],
      summary: "Every workspace on this Parley, newest first, with member count and suspension (operators only)",
      querystring: ZPlatformListQuery,
      response: { 200: ZPlatformWorkspacePage, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => listPlatformWorkspaces(db, request.query),
  });

  app.get("/platform/users", {
    config: { access: "platform_admin" },
    schema: {
      tags: ["platform"],
      summary: "Every user account on this Parley, newest first (operators only)",
      querystring: ZPlatformListQuery,
      response: { 200: ZPlatformUserPage, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => listPlatformUsers(db, request.query),
  });

  app.post("/platform/workspaces/:id/suspend", {
    config: { access: "platform_admin" },
    schema: {
      tags: ["platform"],
      summary: "Suspend a workspace: its sessions end, its sockets close, its API keys stop working (operators only)",
      params: ZWorkspaceParams,
      body: ZSuspendWorkspaceRequest,
      response: {
        200: ZPlatformWorkspace,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        404: ZErrorResponse,
        409: ZErrorResponse,
      },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return suspendWorkspace(db, realtime, {
        workspaceId: request.params.id,
        operatorWorkspaceId: identity.workspaceId,
        reason: request.body.reason,
        actor: actorOf(identity, request),
      });
    },
  });

  app.post("/platform/workspaces/:id/reactivate", {
    config: { access: "platform_admin" },
    schema: {
      tags: ["platform"],
      summary: "Lift a workspace's suspension; its members sign in again (operators only)",
      params: ZWorkspaceParams,
      response: {
        200: ZPlatformWorkspace,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        404: ZErrorResponse,
        409: ZErrorResponse,
      },
    },
    handler: async (request) =>
      reactivateWorkspace(db, realtime, { workspaceId: request.params.id, actor: actorOf(requireIdentity(request), request) }),
  });
};
