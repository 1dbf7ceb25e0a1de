import { Readable } from "node:stream";
import { ZAuditLogFilter, ZAuditLogPage, ZAuditLogQuery, ZErrorResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "./audit.service.ts";
import { exportAuditLog, listAuditLog } from "./audit-query.ts";

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/audit-log", {
    config: { access: "audit.view" },
    schema: {
      tags: ["audit"],
      summary: "The workspace's audit log, newest first, with filters, search and cursor pagination",
      description:
        "`action` takes an exact action or a whole domain (`member.*`); `from` is inclusive, `to` exclusive; `search` matches the action, the actor and the target. Live entries arrive on the `/agent` socket as `audit.created`.",
      querystring: ZAuditLogQuery,
      response: { 200: ZAuditLogPage, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => listAuditLog(db, requireIdentity(request).workspaceId, request.query),
  });

  app.get("/audit-log/export.csv", {
    config: { access: "audit.view" },
    schema: {
      tags: ["audit"],
      summary: "Download the audit log as CSV (same filters as the list), streamed; the export itself is audited",
      querystring: ZAuditLogFilter,
      response: {
        200: {
          description: "RFC 4180 CSV, newest entry first; cells that a spreadsheet would run as a formula start with '",
          content: { "text/csv": { schema: z.string() } },
        },
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
      },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const rows = await exportAuditLog(db, realtime, {
        workspaceId: identity.workspaceId,
        filter: request.query,
        actor: actorOf(identity, request),
      });
      const fileName = `audit-log-${new Date().toISOString().slice(0, 10)}.csv`;
      // The type provider types send() after the documented (string) body; Fastify pipes a stream as is.
      const body: unknown = Readable.from(rows);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${fileName}"`)
        .header("cache-control", "no-store")
        .send(body as string);
    },
  });
};
