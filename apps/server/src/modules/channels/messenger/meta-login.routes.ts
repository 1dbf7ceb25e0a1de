import {
  ZErrorResponse,
  ZMetaLoginParams,
  ZMetaOAuthCallbackQuery,
  ZMetaOAuthStartQuery,
  ZMetaOAuthStartResponse,
  ZMetaPageList,
  ZMetaPagesQuery,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../../platform/access.ts";
import { AppError } from "../../../platform/errors.ts";
import { ChannelSendError } from "../channel-adapter.ts";
import { channelContextOf } from "../process-event.task.ts";
import { completeMetaLogin, listSelectablePages, startMetaLogin } from "./meta-login.ts";

const errors = {
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  404: ZErrorResponse,
  422: ZErrorResponse,
  502: ZErrorResponse,
};

/** Facebook Login for Messenger and Instagram inboxes: start, Facebook's callback, and the pages to pick from. */
export const metaLoginRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const context = channelContextOf(services);

  app.get("/channels/:platform/oauth/start", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "The Facebook Login dialog URL that connects this Messenger or Instagram inbox",
      params: ZMetaLoginParams,
      querystring: ZMetaOAuthStartQuery,
      response: { 200: ZMetaOAuthStartResponse, ...errors },
    },
    handler: async (request) =>
      startMetaLogin(services, requireIdentity(request), request.params.platform, request.query.inboxId),
  });

  app.get("/channels/:platform/oauth/callback", {
    config: { access: "public", rateLimit: { max: 60, timeWindow: "1 minute" } },
    schema: {
      tags: ["channels"],
      summary:
        "Where Facebook returns the admin: checks the state, exchanges the code and redirects to the inbox settings with a page selection",
      params: ZMetaLoginParams,
      querystring: ZMetaOAuthCallbackQuery,
      response: { 302: z.null().describe("Redirects to the inbox settings: ?channelSelection=<token> or ?channelError=<code>.") },
    },
    handler: async (request, reply) => {
      const outcome = await completeMetaLogin(services, context, request.params.platform, request.query);
      const base = `${services.config.publicUrl}/settings/inboxes${outcome.inboxId ? `/${outcome.inboxId}` : ""}`;
      const query =
        "selectionToken" in outcome
          ? `channelSelection=${encodeURIComponent(outcome.selectionToken)}`
          : `channelError=${outcome.error}`;
      return reply.redirect(`${base}?${query}`, 302);
    },
  });

  app.get("/channels/:platform/pages", {
    config: { access: "inboxes.manage" },
    schema: {
      tags: ["channels"],
      summary: "The Facebook pages (and linked Instagram accounts) the admin may connect after Facebook Login",
      params: ZMetaLoginParams,
      querystring: ZMetaPagesQuery,
      response: { 200: ZMetaPageList, ...errors },
    },
    handler: async (request) => {
      try {
        return { items: await listSelectablePages(services, context, requireIdentity(request), request.query.selectionToken) };
      } catch (error) {
        if (error instanceof ChannelSendError) {
          throw new AppError(error.retryable ? "platform_unavailable" : "channel_rejected", error.message);
        }
        throw error;
      }
    },
  });
};
