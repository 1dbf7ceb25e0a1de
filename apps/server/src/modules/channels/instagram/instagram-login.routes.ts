import {
  ZErrorResponse,
  ZInstagramLoginAvailability,
  ZMetaOAuthCallbackQuery,
  ZMetaOAuthStartQuery,
  ZMetaOAuthStartResponse,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../../platform/access.ts";
import { channelContextOf } from "../process-event.task.ts";
import { completeInstagramLogin, isInstagramLoginConfigured, startInstagramLogin } from "./instagram-login.ts";

const errors = {
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  404: ZErrorResponse,
};

/** Instagram Login for Instagram inboxes without a Facebook page: availability, start, and Instagram's callback. */
export const instagramLoginRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const context = channelContextOf(services);

  app.get("/channels/instagram-login", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "Whether Instagram inboxes can connect through Instagram Login (an Instagram app is configured)",
      response: { 200: ZInstagramLoginAvailability, ...errors },
    },
    handler: async () => ({ isConfigured: isInstagramLoginConfigured(services.config) }),
  });

  app.get("/channels/instagram-login/oauth/start", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "The Instagram authorization window URL that connects this Instagram inbox without a Facebook page",
      querystring: ZMetaOAuthStartQuery,
      response: { 200: ZMetaOAuthStartResponse, ...errors },
    },
    handler: async (request) => startInstagramLogin(services, requireIdentity(request), request.query.inboxId),
  });

  app.get("/channels/instagram-login/oauth/callback", {
    config: { access: "public", rateLimit: { max: 60, timeWindow: "1 minute" } },
    schema: {
      tags: ["channels"],
      summary:
        "Where Instagram returns the admin: checks the state, exchanges the code, connects the inbox and redirects to its settings",
      querystring: ZMetaOAuthCallbackQuery,
      response: {
        302: z
          .null()
          .describe("Redirects to the inbox settings: ?channelConnected=instagram, or ?channelError=<code> when it failed."),
      },
    },
    handler: async (request, reply) => {
      const outcome = await completeInstagramLogin(services, context, request.query, {
        ip: request.ip,
        userAgent: request.headers["user-agent"]?.slice(0, 512) ?? null,
      });
      const base = `${services.config.publicUrl}/settings/inboxes${outcome.inboxId ? `/${outcome.inboxId}` : ""}`;
      return reply.redirect(`${base}?${outcome.error ? `channelError=${outcome.error}` : "channelConnected=instagram"}`, 302);
    },
  });
};
