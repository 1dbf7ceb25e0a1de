import { randomUUID } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyCors from "@fastify/cors";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import helmet from "helmet";
import { authenticateToken } from "./modules/auth/authenticate.ts";
import { inboxLookupFor } from "./modules/channels/channel-inboxes.ts";
import { channelWebhookRoutes } from "./modules/channels/webhooks.routes.ts";
import { inboxRoomsFor } from "./modules/conversations/visibility.ts";
import { authenticateVisitor } from "./modules/widget/visitor-session.ts";
import { registerAccessControl } from "./platform/access.ts";
import type { Config } from "./platform/config.ts";
import type { SecretBox } from "./platform/crypto.ts";
import type { DatabaseHandle } from "./platform/db.ts";
import { AppError } from "./platform/errors.ts";
import { healthRoutes } from "./platform/health.routes.ts";
import { registerErrorHandling } from "./platform/http-errors.ts";
import type { ClientContext, RequestIdentity } from "./platform/identity.ts";
import type { Logger } from "./platform/logger.ts";
import { createMailer } from "./platform/mail/mailer.ts";
import { httpRequestDuration } from "./platform/metrics.ts";
import { createRealtime, rooms, type VisitorIdentity } from "./platform/realtime.ts";
import { connectRedis } from "./platform/redis.ts";
import type { AppServices } from "./platform/services.ts";
import { bindSocketEvents, type SocketEventTable, socketEventTable } from "./platform/socket-events.ts";
import { dashboardRoutes, readDashboardIndex, widgetRoutes } from "./platform/static.routes.ts";
import { apiRoutes } from "./routes.ts";
import { agentSocketEvents, runAgentConnectionHooks, runVisitorConnectionHooks, widgetSocketEvents } from "./socket-events.ts";

export type BuildAppOptions = {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  secrets: SecretBox;
  /** Overrides for tests. */
  authRateLimitPerMinute?: number;
  /** Keeps rate-limit counters of parallel test apps apart in a shared Redis. */
  rateLimitNamespace?: string;
  dashboardDir?: string;
  widgetDir?: string;
};

export type ParleyApp = FastifyInstance;

const sendAppError = (reply: FastifyReply, error: AppError) => reply.status(error.status).send(error.toBody());

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP API and the Socket.IO gateway on one server; `listen` is the caller's (tests use `inject`). */
export const buildApp = async (options: BuildAppOptions): Promise<ParleyApp> => {
  const { config, logger, database } = options;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    forceCloseConnections: "idle",
    // The router rejects some URLs before any hook runs; answer those in the standard error shape too.
    frameworkErrors: (error, request, reply) => {
      const isTooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
      const answer = isTooLong
        ? new AppError("uri_too_long", "A value in the URL is longer than this server accepts.")
        : new AppError("bad_request", "The URL is malformed.");
      request.log.info({ code: error.code }, "router rejected the URL");
      return sendAppError(reply, answer);
    },
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const authenticate = (token: string, client: ClientContext) => authenticateToken(database.db, token, client);
  // Filled in right after the gateway exists; socket hooks only run once clients connect.
  let services: AppServices;
  // Built on the first connection (services exist by then) and shared by every socket after it.
  let agentEvents: SocketEventTable<RequestIdentity> | undefined;
  let widgetEvents: SocketEventTable<VisitorIdentity> | undefined;
  const realtime = await createRealtime({
    httpServer: app.server,
    logger,
    redisUrl: config.redisUrl,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
    authenticateAgent: authenticate,
    authenticateVisitor: (auth) => authenticateVisitor({ db: database.db, secrets: options.secrets }, auth),
    agentRooms: async (identity) => {
      const inboxRooms = await inboxRoomsFor(database.db, identity);
      return inboxRooms === "all"
        ? [rooms.allConversations(identity.workspaceId)]
        : inboxRooms.map((inboxId) => rooms.inbox(inboxId));
    },
    onAgentConnect: (socket, identity) => {
      agentEvents ??= socketEventTable(agentSocketEvents(services));
      bindSocketEvents(socket, identity, agentEvents, logger);
      runAgentConnectionHooks(socket, identity, services);
    },
    onVisitorConnect: (socket, visitor) => {
      widgetEvents ??= socketEventTable(widgetSocketEvents(services));
      bindSocketEvents(socket, visitor, widgetEvents, logger);
      runVisitorConnectionHooks(socket, visitor, services);
    },
  });
  services = {
    config,
    logger,
    db: database.db,
    pool: database.pool,
    realtime: realtime.publisher,
    mailer: createMailer(config),
    secrets: options.secrets,
  };
  app.decorate("parley", services);

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook("preClose", async () => {
    await realtime.close();
  });

  let rateLimitRedis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  try {
    rateLimitRedis = config.redisUrl ? await connectRedis(config.redisUrl, logger, "rate-limit") : undefined;
    registerErrorHandling(app);
    await app.register(fastifyCookie);
    // Built once: a middleware per request (what the Fastify plugin does) costs more than the rest of a webhook's work.
    const applySecurityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          "img-src": ["'self'", "data:", "blob:"],
          "style-src": ["'self'", "'unsafe-inline'"],
          "connect-src": ["'self'"],
          "frame-src": ["'self'"],
        },
      },
    });
    app.addHook("onRequest", (request, reply, done) =>
      applySecurityHeaders(request.raw, reply.raw, (error?: unknown) => (error instanceof Error ? done(error) : done())),
    );
    await app.register(fastifyCors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, credentials: true });

    const sharedLimitStore = rateLimitRedis;
    if (sharedLimitStore) {
      app.addHook("onClose", async () => {
        await sharedLimitStore.quit().catch(() => undefined);
      });
    }
    await app.register(fastifyRateLimit, {
      global: false,
      ...(rateLimitRedis ? { redis: rateLimitRedis, nameSpace: options.rateLimitNamespace ?? "parley-rate-limit:" } : {}),
      errorResponseBuilder: (_request, context) =>
        Object.assign(new AppError("rate_limited", `Too many attempts. Try again in ${context.after}.`), { statusCode: 429 }),
    });

    await app.register(fastifySwagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "Parley API",
          version: "1",
          description: "Parley's HTTP API. Authenticate with `Authorization: Bearer <token>`.",
        },
        servers: [{ url: config.publicUrl }],
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(fastifySwaggerUi, { routePrefix: "/api/docs", staticCSP: true });
    app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

    registerAccessControl(app, { authenticate, config });
    await app.register(healthRoutes);
    await app.register(apiRoutes, { prefix: "/api/v1", authRateLimitPerMinute: options.authRateLimitPerMinute ?? 20 });
    await app.register(channelWebhookRoutes, { lookup: inboxLookupFor(services) });
    await app.register(widgetRoutes, { root: options.widgetDir, publicUrl: config.publicUrl });
    const dashboardIndexHtml = await readDashboardIndex(options.dashboardDir);
    await app.register(dashboardRoutes, { root: options.dashboardDir, isBuilt: dashboardIndexHtml !== null });

    app.setNotFoundHandler(async (request, reply) => {
      const isPageRequest =
        request.method === "GET" && !request.url.startsWith("/api/") && (request.headers.accept ?? "").includes("text/html");
      if (isPageRequest && dashboardIndexHtml !== null) return reply.type("text/html").send(dashboardIndexHtml);
      return reply
        .status(404)
        .send(
          new AppError(
            "route_not_found",
            `No route ${request.method} ${request.url.split("?")[0]}. See /api/docs for the API.`,
          ).toBody(),
        );
    });
  } catch (error) {
    // Connections opened before the failure would keep the process alive after start-up gave up.
    await realtime.close();
    await rateLimitRedis?.quit().catch(() => undefined);
    throw error;
  }

  return app;
};
