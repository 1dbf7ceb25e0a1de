import { ZApiKey, ZApiKeyPage, ZCreateApiKeyRequest, ZCreatedApiKey, ZCursorQuery, ZErrorResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { actorOf } from "../audit/audit.service.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys.service.ts";

export const apiKeysRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.post("/api-keys", {
    config: { access: "api_keys.manage" },
    schema: {
      tags: ["api-keys"],
      summary: "Create an API key with some of your permissions; the key is returned this once",
      body: ZCreateApiKeyRequest,
      response: { 201: ZCreatedApiKey, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      // A leaked key must not be able to mint keys that outlive its own revocation.
      if (identity.userId === null) {
        throw new AppError("forbidden", "API keys cannot create API keys; sign in as a member to create one.");
      }
      const created = await createApiKey(db, realtime, {
        workspaceId: identity.workspaceId,
        creator: { userId: identity.userId, permissions: identity.permissions },
        request: request.body,
        actor: actorOf(identity, request),
      });
      return reply.status(201).send(created);
    },
  });

  app.get("/api-keys", {
    config: { access: "api_keys.manage" },
    schema: {
      tags: ["api-keys"],
      summary: "The workspace's API keys, newest first (never the keys themselves)",
      querystring: ZCursorQuery,
      response: { 200: ZApiKeyPage, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => listApiKeys(db, requireIdentity(request).workspaceId, request.query),
  });

  app.delete("/api-keys/:id", {
    config: { access: "api_keys.manage" },
    schema: {
      tags: ["api-keys"],
      summary: "Revoke an API key: requests with it fail at once and its sockets are closed",
      params: z.strictObject({ id: z.uuid({ message: "must be an API key id" }) }),
      response: { 200: ZApiKey, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return revokeApiKey(db, realtime, {
        workspaceId: identity.workspaceId,
        apiKeyId: request.params.id,
        actor: actorOf(identity, request),
      });
    },
  });
};
