import { ChannelSendError, type PlatformHttp, type PlatformHttpRequest, type PlatformHttpResponse } from "./channel-adapter.ts";

const DEFAULT_TIMEOUT_MS = 15_000;

const encodeBody = (request: PlatformHttpRequest): { body?: Uint8Array | string; contentType?: string } => {
  if (request.rawBody) return { body: new Uint8Array(request.rawBody) };
  if (request.form)
    return { body: new URLSearchParams(request.form).toString(), contentType: "application/x-www-form-urlencoded" };
  if (request.json !== undefined) return { body: JSON.stringify(request.json), contentType: "application/json" };
  return {};
};

/**
 * Calls a platform API. A network failure or timeout is a retryable ChannelSendError; HTTP
 * error statuses are returned as they are, for each adapter to map with the platform's own codes.
 */
export const platformHttp: PlatformHttp = async (request): Promise<PlatformHttpResponse> => {
  const { body, contentType } = encodeBody(request);
  const headers = new Headers(request.headers);
  if (contentType && !headers.has("content-type")) headers.set("content-type", contentType);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      redirect: "follow",
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "could not be reached";
    throw new ChannelSendError({ message: `The platform ${reason} (${new URL(request.url).host}).`, retryable: true });
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    body: bytes,
    json: () => {
      try {
        return JSON.parse(bytes.toString("utf8")) as unknown;
      } catch {
        return null;
      }
    },
  };
};

/** HTTP statuses worth another try later: throttling and the platform's own failures. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;
