import { type ErrorParams, type TErrorResponse, ZErrorResponse } from "@parley/shared";

const API_BASE = "/api/v1";

/** Codes the client raises itself, next to the server's `ErrorCode`s. */
export type ClientErrorCode = "network_error" | "invalid_response";

/** Anything with zod's `safeParse`; the shared schemas are passed in so every response is parsed where it enters. */
export type ResponseSchema<T> = {
  safeParse: (data: unknown) => { success: true; data: T } | { success: false };
};

/** A failed API call: the server's stable code, its message, and per-field problems keyed by field name. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: Readonly<Record<string, string>>;
  /** The server's `details` as sent (e.g. the challenge token of `two_factor_required`). */
  readonly details: unknown;
  /** The finer cause the server named, if any (see `ERROR_REASONS`), and the values its sentence mentions. */
  readonly reason: string | undefined;
  readonly params: Readonly<ErrorParams>;

  constructor(input: {
    status: number;
    code: string;
    message: string;
    fieldErrors?: Record<string, string>;
    details?: unknown;
    reason?: string;
    params?: ErrorParams;
  }) {
    super(input.message);
    this.name = "ApiError";
    this.status = input.status;
    this.code = input.code;
    this.fieldErrors = input.fieldErrors ?? {};
    this.details = input.details;
    this.reason = input.reason;
    this.params = input.params ?? {};
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

/** `details: [{ path: "body.email", message }]` becomes `{ email: message }`; the first problem per field wins. */
const toFieldErrors = (details: unknown): Record<string, string> => {
  const fieldErrors: Record<string, string> = {};
  if (!Array.isArray(details)) return fieldErrors;
  for (const detail of details) {
    if (typeof detail !== "object" || detail === null) continue;
    if (!("path" in detail) || !("message" in detail)) continue;
    if (typeof detail.path !== "string" || typeof detail.message !== "string") continue;
    const field = detail.path.replace(/^(body|query|params)\./, "");
    fieldErrors[field] ??= detail.message;
  }
  return fieldErrors;
};

/** The server's error object, from an HTTP body or a socket acknowledgement, as an ApiError. */
export const toApiError = (status: number, error: TErrorResponse["error"]): ApiError =>
  new ApiError({ status, ...error, fieldErrors: toFieldErrors(error.details) });

const readError = async (response: Response): Promise<ApiError> => {
  const body: unknown = await response.json().catch(() => null);
  const parsed = ZErrorResponse.safeParse(body);
  if (!parsed.success) {
    return new ApiError({
      status: response.status,
      code: response.status >= 500 ? "internal_error" : "invalid_response",
      message: `The server answered ${response.status} without a Parley error body.`,
    });
  }
  return toApiError(response.status, parsed.data.error);
};

type RequestOptions = {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
};

const send = async (path: string, options: RequestOptions): Promise<Response> => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) search.set(key, String(value));
  }
  const url = `${API_BASE}${path}${search.size > 0 ? `?${search}` : ""}`;
  const hasBody = options.body !== undefined;
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? "GET",
      credentials: "same-origin",
      // A JSON content type without a body is refused by the server, so it is only sent with one.
      headers: hasBody ? { accept: "application/json", "content-type": "application/json" } : { accept: "application/json" },
      body: hasBody ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError({ status: 0, code: "network_error", message: "The server could not be reached." });
  }
  if (!response.ok) throw await readError(response);
  return response;
};

/** Calls the API and parses the JSON answer with the given shared schema. */
export const apiRequest = async <T>(path: string, schema: ResponseSchema<T>, options: RequestOptions = {}): Promise<T> => {
  const response = await send(path, options);
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError({
      status: response.status,
      code: "invalid_response",
      message: `The answer to ${options.method ?? "GET"} ${path} does not match the expected shape.`,
    });
  }
  return parsed.data;
};

/** Calls an API route that answers without a body (204). */
export const apiSend = async (path: string, options: RequestOptions = {}): Promise<void> => {
  await send(path, options);
};
