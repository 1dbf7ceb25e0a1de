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

/** SQLSTATE class 22 ("data exception"): the input, not the server, is at fault. A backstop behind schema validation. */
const isPostgresDataException = (error: unknown): boolean => {
  const cause = error instanceof Error && error.cause ? error.cause : error;
  return (
    typeof cause === "object" &&
    cause !== null &&
    "code" in cause &&
    typeof cause.code === "string" &&
    /^22[0-9A-Z]{3}$/.test(cause.code)
  );
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

    if (isPostgresDataException(error)) {
      request.log.warn({ err: error }, "input PostgreSQL could not store");
      return reply
        .status(400)
        .send(
          new AppError(
            "bad_request",
            "A value in this request cannot be stored; check for unusual characters or out-of-range numbers.",
          ).toBody(),
        );
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
