import { ZCursorQuery, ZDeadLetterJob, ZDeadLetterPage, ZErrorResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { listDeadLetters } from "../../platform/queue/dead-letters.ts";
import { actorOf } from "../audit/audit.service.ts";
import { retryFailedJob } from "./dead-letters.service.ts";

export const deadLettersRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/admin/dead-letter-jobs", {
    config: { access: "jobs.manage" },
    schema: {
      tags: ["admin"],
      summary: "Background jobs of this workspace that failed on every attempt, newest first",
      querystring: ZCursorQuery,
      response: { 200: ZDeadLetterPage, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => listDeadLetters(db, requireIdentity(request).workspaceId, request.query),
  });

  app.post("/admin/dead-letter-jobs/:id/retry", {
    config: { access: "jobs.manage" },
    schema: {
      tags: ["admin"],
      summary: "Put a failed job back on the queue with fresh attempts",
      params: z.strictObject({ id: z.uuid({ message: "must be a job id" }) }),
      response: {
        200: ZDeadLetterJob,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        404: ZErrorResponse,
        409: ZErrorResponse,
      },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return retryFailedJob(db, realtime, {
        workspaceId: identity.workspaceId,
        jobId: request.params.id,
        actor: actorOf(identity, request),
      });
    },
  });
};
