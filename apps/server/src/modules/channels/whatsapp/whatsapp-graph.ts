import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type ChannelContext, type ChannelInbox, ChannelSendError, type PlatformHttpResponse } from "../channel-adapter.ts";
import { graphSendError, graphUrl } from "../meta/meta-common.ts";

/** Calls to the WhatsApp Cloud API (Graph) with the number's access token; errors keep Meta's words. */

export const accessTokenOf = (inbox: ChannelInbox): string => {
  const token = inbox.secrets.accessToken;
  if (!token) {
    throw new ChannelSendError({
      message: "This WhatsApp inbox has no access token; reconnect it.",
      retryable: false,
      code: "channel_auth",
    });
  }
  return token;
};

export const phoneNumberIdOf = (inbox: ChannelInbox): string => {
  const id = typeof inbox.config.phoneNumberId === "string" ? inbox.config.phoneNumberId : inbox.channelKey;
  if (!id) throw new ChannelSendError({ message: "This WhatsApp inbox has no phone number id; reconnect it.", retryable: false });
  return id;
};

export const wabaIdOf = (inbox: ChannelInbox): string | null =>
  typeof inbox.config.wabaId === "string" ? inbox.config.wabaId : null;

const isOk = (response: PlatformHttpResponse) => response.status >= 200 && response.status < 300;

/** Graph answers, parsed rather than trusted: only the fields Parley reads. */
export const ZGraphSuccess = z.looseObject({});
export const ZGraphPhoneNumber = z.looseObject({
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
});
export const ZGraphMediaUrl = z.looseObject({ url: z.string().min(1), mime_type: z.string().optional() });
export const ZGraphSentMessage = z.looseObject({ messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1) });
export const ZGraphTemplate = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  language: z.string(),
  status: z.string().optional(),
  category: z.string().optional(),
  components: z.array(z.unknown()).optional(),
});
export const ZGraphTemplatePage = z.looseObject({
  data: z.array(z.unknown()).default([]),
  paging: z
    .looseObject({ next: z.string().optional(), cursors: z.looseObject({ after: z.string().optional() }).optional() })
    .optional(),
});

/** One Graph call: JSON in, JSON out, a non-2xx answer becomes a ChannelSendError with Meta's message and code. */
export const callGraph = async <Answer extends z.ZodType>(
  context: ChannelContext,
  token: string,
  request: { method?: "GET" | "POST" | "DELETE"; path: string; query?: Record<string, string>; json?: unknown },
  answer: Answer,
): Promise<z.infer<Answer>> => {
  const url = new URL(graphUrl(context.config, request.path));
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const response = await context.http({
    method: request.method ?? (request.json === undefined ? "GET" : "POST"),
    url: url.toString(),
    headers: { authorization: `Bearer ${token}` },
    ...(request.json === undefined ? {} : { json: request.json }),
  });
  if (!isOk(response)) throw graphSendError(response);
  const parsed = answer.safeParse(response.json());
  if (!parsed.success) {
    throw new ChannelSendError({
      message: `Meta answered ${request.path.split("/").at(-1) ?? "the call"} in an unexpected shape.`,
      retryable: false,
    });
  }
  return parsed.data;
};

/**
 * Uploads a file to the number's media store (multipart, as the media endpoint requires) and
 * returns its media id. Uploading rather than sending a link means WhatsApp never has to reach
 * this server, so it works behind a firewall and outlives our signed links' expiry.
 */
export const uploadMedia = async (
  context: ChannelContext,
  inbox: ChannelInbox,
  file: { fileName: string; contentType: string; bytes: Buffer },
): Promise<string> => {
  const boundary = `parley${randomBytes(12).toString("hex")}`;
  const safeName = file.fileName.replace(/["\r\n]/g, "_");
  const part = (headers: string, body: Buffer | string) =>
    Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(body), Buffer.from("\r\n")]);
  const body = Buffer.concat([
    part('Content-Disposition: form-data; name="messaging_product"', "whatsapp"),
    part('Content-Disposition: form-data; name="type"', file.contentType),
    part(`Content-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${file.contentType}`, file.bytes),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const response = await context.http({
    method: "POST",
    url: graphUrl(context.config, `${phoneNumberIdOf(inbox)}/media`),
    headers: { authorization: `Bearer ${accessTokenOf(inbox)}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    rawBody: body,
    timeoutMs: 60_000,
  });
  if (!isOk(response)) throw graphSendError(response);
  const answer = z.looseObject({ id: z.string().min(1) }).safeParse(response.json());
  if (!answer.success)
    throw new ChannelSendError({ message: "WhatsApp accepted the upload but returned no media id.", retryable: true });
  return answer.data.id;
};
