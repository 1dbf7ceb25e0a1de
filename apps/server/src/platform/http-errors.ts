import type { ErrorBody, ErrorCode } from "@parley/shared";
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { AppError, isAppError } from "./errors.ts";

type FieldProblem = { path: string; message: string };

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_json",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_json",
  FST_ERR_VALIDATION: "validation_failed",
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  payload_too_large: "The request body is larger than this server accepts.",
  unsupported_media_type: "Send the body as application/json.",
  invalid_json: "The request body is not valid JSON.",
};

const statusOf = (error: unknown): number | undefined => {
  if (typeof error !== "object" || error === null || !("statusCode" in error)) return undefined;
  return typeof error.statusCode === "number" ? error.statusCode : undefined;
};

const fieldProblems = (error: FastifyError): FieldProblem[] => {
  if (!hasZodFastifySchemaValidationErrors(error)) return [];
  const where = error.validationContext ?? "body";
  return error.validation.map((problem) => ({
    path: [where, ...problem.instancePath.split("/").filter(Boolean)].join("."),
    message: problem.message ?? "is not valid",
  }));
};

/** One shape for every error: `{ error: { code, message, details } }`; 5xx detail is logged, never sent. */
export const registerErrorHandling = (app: FastifyInstance): void => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) return reply.status(error.status).send(error.toBody());

    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = fieldProblems(error);
      const body: ErrorBody = {
        error: {
          code: "validation_failed",
          message: `Check these fields: ${details.map((problem) => `${problem.path} (${problem.message})`).join("; ")}`,
          details,
        },
      };
      return reply.status(400).send(body);
    }

    const status = statusOf(error);
    if (status !== undefined && status >= 400 && status < 500 && !isResponseSerializationError(error)) {
      const code: ErrorCode =
        FASTIFY_CODES[error.code] ??
        (status === 429
          ? "rate_limited"
          : error instanceof SyntaxError
            ? "invalid_json"
            : status === 404
              ? "not_found"
              : "bad_request");
      const message = MESSAGES[code] ?? error.message;
      if (status === 429 && reply.getHeader("retry-after") === undefined) reply.header("retry-after", "60");
      return reply.status(status === 405 ? 405 : status).send(new AppError(code, message).toBody());
    }

    request.log.error({ err: error }, "unhandled error");
    const body: ErrorBody = {
      error: {
        code: "internal_error",
        message: `Something went wrong on our side. Quote request id ${request.id} if it keeps happening.`,
      },
    };
    return reply.status(500).send(body);
  });
};
