import { z } from "zod";
import { type ChannelContext, ChannelSendError, type PlatformHttpResponse } from "../channel-adapter.ts";
import { isRetryableStatus } from "../platform-http.ts";

/** Twilio's REST API (2010-04-01): HTTP basic auth with the account SID and auth token. */
export type TwilioCredentials = { accountSid: string; authToken: string };

export const basicAuth = (credentials: TwilioCredentials) =>
  `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString("base64")}`;

export const accountUrl = (context: Pick<ChannelContext, "config">, accountSid: string, path = ""): string =>
  `${context.config.channels.twilioApiUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}${path}.json`;

const ZTwilioError = z.object({ code: z.number().optional(), message: z.string().optional(), status: z.number().optional() });

/** Readable reasons for the error codes agents meet most (https://www.twilio.com/docs/api/errors). */
const REASONS: Record<number, string> = {
  21211: "The contact's phone number is not a valid number",
  21408: "Sending to this country is not enabled on the Twilio account",
  21610:
    "The contact has opted out of messages from this number (they replied STOP); they must text START to receive messages again",
  21612: "Twilio cannot route messages from this number to the contact's number",
  21614: "The contact's number cannot receive text messages (not a mobile number)",
  30003: "The contact's phone is unreachable (switched off or out of coverage)",
  30004: "The message was blocked by the contact or their carrier",
  30005: "The contact's number is unknown or no longer in service",
  30006: "The contact's number is a landline or its carrier cannot receive SMS",
  30007: "The carrier filtered the message as spam",
  30008: "The carrier could not deliver the message (unknown error)",
};

export const reasonOfCode = (code: number | null, fallback: string | null): string => {
  const known = code === null ? undefined : REASONS[code];
  if (known) return `${known} (Twilio error ${code}).`;
  if (fallback) return `${fallback}${code === null ? "" : ` (Twilio error ${code})`}`;
  return code === null ? "Twilio could not deliver the message." : `Twilio could not deliver the message (error ${code}).`;
};

/** Maps a refused REST call to our terms, keeping Twilio's own message for the agent. */
export const twilioError = (response: PlatformHttpResponse): ChannelSendError => {
  const parsed = ZTwilioError.safeParse(response.json());
  const code = parsed.success ? (parsed.data.code ?? null) : null;
  const message = parsed.success ? (parsed.data.message ?? null) : null;
  if (response.status === 429 || code === 20429) {
    return new ChannelSendError({
      message: `Twilio is limiting how fast this account may send: ${message ?? "Too Many Requests"}`,
      retryable: true,
    });
  }
  if (response.status === 401 || code === 20003) {
    return new ChannelSendError({
      message: `Twilio refused the account credentials (${message ?? "Authenticate"}, error ${code ?? 20003}). Connect the inbox again.`,
      retryable: false,
      code: "channel_auth",
    });
  }
  const reason = reasonOfCode(code, message ?? `Twilio answered ${response.status}`);
  return new ChannelSendError({ message: reason, retryable: isRetryableStatus(response.status) });
};

/** One REST call; any refusal becomes a ChannelSendError. */
export const callTwilio = async (
  context: Pick<ChannelContext, "http">,
  credentials: TwilioCredentials,
  request: { method: "GET" | "POST"; url: string; form?: URLSearchParams },
): Promise<unknown> => {
  const response = await context.http({
    method: request.method,
    url: request.url,
    headers: {
      authorization: basicAuth(credentials),
      accept: "application/json",
      ...(request.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    // Raw form encoding keeps repeated parameters (several MediaUrl) that a record could not.
    ...(request.form ? { rawBody: Buffer.from(request.form.toString(), "utf8") } : {}),
  });
  if (response.status >= 400) throw twilioError(response);
  return response.json();
};
