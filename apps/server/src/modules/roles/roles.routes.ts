import {
  ZCreateRoleRequest,
  ZErrorResponse,
  ZPermissionMatrix,
  ZRole,
  ZRoleList,
  ZRoleParams,
  ZUpdateRoleRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { createRole, deleteRole, getPermissionMatrix, getRole, listRoles, updateRole } from "./roles.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse };

export const rolesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/roles", {
    config: { access: "members.view" },
    schema: {
      tags: ["roles"],
      summary: "Built-in and custom roles, each with its permissions and how many members hold it",
      response: { 200: ZRoleList, ...readErrors },
    },
    handler: async (request) => ({ items: await listRoles(db, requireIdentity(request).workspaceId) }),
  });

  app.get("/roles/permissions", {
    config: { access: "members.view" },
    schema: {
      tags: ["roles"],
      summary: "The permission matrix: every permission, what it allows, and which roles grant it",
      response: { 200: ZPermissionMatrix, ...readErrors },
    },
    handler: async (request) => getPermissionMatrix(db, requireIdentity(request).workspaceId),
  });

  app.get("/roles/:id", {
    config: { access: "members.view" },
    schema: {
      tags: ["roles"],
      summary: "One role with its permissions",
      params: ZRoleParams,
      response: { 200: ZRole, ...readErrors, 404: ZErrorResponse },
    },
    handler: async (request) => getRole(db, requireIdentity(request).workspaceId, request.params.id),
  });

  app.post("/roles", {
    config: { access: "roles.manage" },
    schema: {
      tags: ["roles"],
      summary: "Create a custom role; it may only grant permissions you hold yourself",
      body: ZCreateRoleRequest,
      response: { 201: ZRole, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const role = await createRole(db, realtime, identity, request.body, actorOf(identity, request));
      return reply.status(201).send(role);
    },
  });

  app.patch("/roles/:id", {
    config: { access: "roles.manage" },
    schema: {
      tags: ["roles"],
      summary: "Rename a custom role or change its permissions (built-in roles cannot be edited)",
      params: ZRoleParams,
      body: ZUpdateRoleRequest,
      response: { 200: ZRole, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateRole(db, realtime, identity, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/roles/:id", {
    config: { access: "roles.manage" },
    schema: {
      tags: ["roles"],
      summary: "Delete a custom role no member or pending invitation holds",
      params: ZRoleParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteRole(db, realtime, identity, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
