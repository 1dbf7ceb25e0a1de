import { z } from "zod";
import { type ChannelContext, ChannelSendError, type PlatformHttpResponse } from "../channel-adapter.ts";
import { isRetryableStatus } from "../platform-http.ts";

/**
 * The Bot API: every method is `<base>/bot<token>/<method>` and answers
 * `{ ok, result }` or `{ ok: false, error_code, description, parameters }`.
 */
const ZTelegramAnswer = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional(), migrate_to_chat_id: z.number().optional() }).optional(),
});

export const botMethodUrl = (context: Pick<ChannelContext, "config">, token: string, method: string): string =>
  `${context.config.channels.telegramApiUrl}/bot${token}/${method}`;

export const botFileUrl = (context: Pick<ChannelContext, "config">, token: string, filePath: string): string =>
  `${context.config.channels.telegramApiUrl}/file/bot${token}/${filePath.split("/").map(encodeURIComponent).join("/")}`;

/** Maps a refused Bot API call to our terms, keeping Telegram's own description for the agent. */
export const telegramError = (response: PlatformHttpResponse): ChannelSendError => {
  const parsed = ZTelegramAnswer.safeParse(response.json());
  const answer = parsed.success ? parsed.data : null;
  const status = answer?.error_code ?? response.status;
  const description = answer?.description ?? `Telegram answered ${response.status}`;
  if (status === 429) {
    const after = answer?.parameters?.retry_after;
    return new ChannelSendError({
      message: `Telegram is limiting how fast the bot may send${after ? ` (retry after ${after} s)` : ""}: ${description}`,
      retryable: true,
    });
  }
  // A wrong or revoked token answers 401; a malformed one 404 (the bot path does not exist).
  if (status === 401 || status === 404) {
    return new ChannelSendError({
      message: `Telegram refused the bot token (${description}). Connect the inbox again with a valid token.`,
      retryable: false,
      code: "channel_auth",
    });
  }
  if (status === 403 && /blocked by the user/i.test(description)) {
    return new ChannelSendError({ message: `The contact blocked the bot (${description}).`, retryable: false });
  }
  if (status === 403) return new ChannelSendError({ message: `Telegram refused: ${description}`, retryable: false });
  return new ChannelSendError({ message: `Telegram refused: ${description}`, retryable: isRetryableStatus(status) });
};

type CallBody = { json: Record<string, unknown> } | { multipart: FormData };

/** Calls one Bot API method and returns its `result`; any refusal becomes a ChannelSendError. */
export const callBot = async (
  context: Pick<ChannelContext, "config" | "http">,
  token: string,
  method: string,
  body: CallBody,
): Promise<unknown> => {
  const url = botMethodUrl(context, token, method);
  let response: PlatformHttpResponse;
  if ("multipart" in body) {
    // The platform's own encoder builds the multipart body and its boundary.
    const encoded = new Response(body.multipart);
    const contentType = encoded.headers.get("content-type") ?? "multipart/form-data";
    response = await context.http({
      method: "POST",
      url,
      headers: { "content-type": contentType },
      rawBody: Buffer.from(await encoded.arrayBuffer()),
      timeoutMs: 60_000,
    });
  } else {
    response = await context.http({ method: "POST", url, json: body.json });
  }
  const parsed = ZTelegramAnswer.safeParse(response.json());
  if (response.status >= 400 || !parsed.success || !parsed.data.ok) throw telegramError(response);
  return parsed.data.result;
};

export const ZTelegramUser = z.object({
  id: z.number(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

export const ZSentMessage = z.object({ message_id: z.number(), chat: z.object({ id: z.number() }) });

const ZFile = z.object({ file_id: z.string(), file_path: z.string().optional(), file_size: z.number().optional() });

/** The Bot API serves files up to 20 MB to bots; larger ones can only be seen in Telegram itself. */
export const BOT_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

/** Downloads a file a contact sent: getFile names its path, then the file endpoint serves the bytes. */
export const downloadBotFile = async (
  context: Pick<ChannelContext, "config" | "http">,
  token: string,
  fileId: string,
): Promise<{ bytes: Buffer; contentType?: string; filePath: string }> => {
  const file = ZFile.parse(await callBot(context, token, "getFile", { json: { file_id: fileId } }));
  if (!file.file_path)
    throw new ChannelSendError({ message: "Telegram did not give a download path for the file.", retryable: true });
  const response = await context.http({ url: botFileUrl(context, token, file.file_path), timeoutMs: 60_000 });
  if (response.status >= 400) {
    throw new ChannelSendError({
      message: `Telegram could not serve the file (${response.status}).`,
      retryable: isRetryableStatus(response.status),
    });
  }
  return { bytes: response.body, contentType: response.headers.get("content-type") ?? undefined, filePath: file.file_path };
};

const ZPhotoSize = z.object({ file_id: z.string(), width: z.number().optional(), height: z.number().optional() });
const ZUserProfilePhotos = z.object({ total_count: z.number().optional(), photos: z.array(z.array(ZPhotoSize)).default([]) });

/** Big enough for any avatar we show, small enough to download quickly. */
const PROFILE_PHOTO_MAX_PX = 640;

/**
 * The user's current profile photo (the newest): getUserProfilePhotos names its sizes, the largest
 * up to 640 px is downloaded. null when the user has none, or hides it from bots.
 */
export const downloadProfilePhoto = async (
  context: Pick<ChannelContext, "config" | "http">,
  token: string,
  userId: number,
): Promise<{ bytes: Buffer; contentType?: string } | null> => {
  const answer = ZUserProfilePhotos.parse(
    await callBot(context, token, "getUserProfilePhotos", { json: { user_id: userId, limit: 1 } }),
  );
  const sizes = answer.photos[0] ?? [];
  const fitting = sizes.filter((size) => Math.max(size.width ?? 0, size.height ?? 0) <= PROFILE_PHOTO_MAX_PX);
  const chosen =
    fitting.length > 0
      ? fitting.reduce((best, size) =>
          (size.width ?? 0) * (size.height ?? 0) > (best.width ?? 0) * (best.height ?? 0) ? size : best,
        )
      : sizes.at(-1);
  if (!chosen) return null;
  const file = await downloadBotFile(context, token, chosen.file_id);
  return { bytes: file.bytes, ...(file.contentType ? { contentType: file.contentType } : {}) };
};
