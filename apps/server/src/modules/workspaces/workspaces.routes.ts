import { ZErrorResponse, ZUpdateWorkspaceRequest, ZWorkspace } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { getWorkspace, updateWorkspace } from "./workspaces.service.ts";

export const workspacesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/workspaces/current", {
    config: { access: "authenticated" },
    schema: {
      tags: ["workspaces"],
      summary: "The workspace of the current session",
      response: { 200: ZWorkspace, 401: ZErrorResponse },
    },
    handler: async (request) => getWorkspace(db, requireIdentity(request).workspaceId),
  });

  app.patch("/workspaces/current", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["workspaces"],
      summary: "Rename the current workspace; open dashboards update live",
      body: ZUpdateWorkspaceRequest,
      response: { 200: ZWorkspace, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateWorkspace(db, realtime, identity.workspaceId, request.body, actorOf(identity, request));
    },
  });
};
