import { ZErrorResponse, ZWidgetSessionRequest, ZWidgetSessionResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AuthRouteOptions } from "../../platform/route-options.ts";
import { startWidgetSession } from "./visitor-session.ts";

export const widgetSessionRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const services = app.parley;

  app.post("/widget/sessions", {
    // Called by every widget load on customers' sites: public, limited per IP.
    config: { access: "public", rateLimit: { max: Math.max(60, options.authRateLimitPerMinute * 3), timeWindow: "1 minute" } },
    schema: {
      tags: ["widget"],
      summary:
        "Start or resume a visitor's widget session on a website inbox: records the visit and returns the visitor token, widget settings, availability and proactive triggers",
      body: ZWidgetSessionRequest,
      response: {
        200: ZWidgetSessionResponse,
        400: ZErrorResponse,
        403: ZErrorResponse,
        404: ZErrorResponse,
        429: ZErrorResponse,
      },
    },
    handler: async (request) =>
      startWidgetSession(services, request.body, {
        // request.ip honours TRUST_PROXY, so a proxy's X-Forwarded-For counts only when configured.
        ip: request.ip,
        userAgent: request.headers["user-agent"]?.slice(0, 1000) ?? null,
      }),
  });
};
