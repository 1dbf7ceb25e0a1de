import type { FastifyPluginAsync } from "fastify";
import { metricsRegistry } from "./metrics.ts";
import { isSchemaCurrent, latestMigrationTimestamp } from "./migrate.ts";

/** Probes for load balancers and orchestrators, and the Prometheus scrape endpoint. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  const { pool } = app.parley;
  const expectedMigration = await latestMigrationTimestamp();

  app.get("/healthz", { schema: { hide: true }, logLevel: "warn" }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: { hide: true }, logLevel: "warn" }, async (_request, reply) => {
    try {
      const isCurrent = await isSchemaCurrent(pool, expectedMigration);
      if (!isCurrent) return reply.status(503).send({ status: "migrations_pending", database: "reachable" });
      return { status: "ready", database: "reachable" };
    } catch {
      return reply.status(503).send({ status: "database_unreachable" });
    }
  });

  app.get("/metrics", { schema: { hide: true }, logLevel: "warn" }, async (_request, reply) => {
    reply.header("content-type", metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
};
