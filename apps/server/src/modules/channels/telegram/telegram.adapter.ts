import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type ChannelAdapter, WebhookRejected } from "../channel-adapter.ts";
import { callBot, ZTelegramUser } from "./telegram-api.ts";
import { parseTelegramUpdate } from "./telegram-inbound.ts";
import { sendTelegramMessage, TELEGRAM_TEXT_MAX } from "./telegram-outbound.ts";
import { ALLOWED_UPDATES } from "./telegram-updates.ts";

/**
 * Telegram bots (Bot API). Each inbox is one bot with its own webhook URL,
 * `/webhooks/telegram/<inbox id>`, registered with setWebhook and a random secret token that
 * Telegram sends back on every update (X-Telegram-Bot-Api-Secret-Token).
 * Only private chats become conversations; updates from groups and channels are acknowledged and ignored.
 */
const ZConnectInput = z.strictObject({
  botToken: z
    .string()
    .trim()
    .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, { message: "A bot token looks like 123456789:AAE… (ask @BotFather)." }),
});

const sameSecret = (given: string | undefined, expected: string | undefined): boolean => {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export const telegramAdapter: ChannelAdapter<typeof ZConnectInput> = {
  platform: "telegram",
  inboxType: "telegram",
  sharedWebhook: false,
  connectInput: ZConnectInput,
  // The bot id is the part of the token before the colon.
  channelKeyOf: (input) => input.botToken.split(":")[0] ?? input.botToken,
  capabilities: {
    maxTextLength: TELEGRAM_TEXT_MAX,
    buttons: 13,
    quickReplies: 13,
    cards: true,
    templates: false,
    location: true,
    contactCard: true,
    media: ["image", "video", "audio", "file"],
    reactions: true,
    edits: true,
    markdown: "none",
  },

  connect: async (input, _inbox, context, webhookUrl) => {
    const bot = ZTelegramUser.parse(await callBot(context, input.botToken, "getMe", { json: {} }));
    // Telegram allows A-Z, a-z, 0-9, _ and - in the secret token, 1 to 256 characters.
    const webhookSecret = randomBytes(32).toString("base64url");
    await callBot(context, input.botToken, "setWebhook", {
      json: { url: webhookUrl, secret_token: webhookSecret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false },
    });
    const username = bot.username ?? null;
    return {
      channelKey: String(bot.id),
      config: { botId: bot.id, username, botName: bot.first_name ?? null },
      secrets: { botToken: input.botToken, webhookSecret },
      displayName: username ? `@${username}` : (bot.first_name ?? String(bot.id)),
    };
  },

  disconnect: async (inbox, context) => {
    const token = inbox.secrets.botToken;
    if (token) await callBot(context, token, "deleteWebhook", { json: { drop_pending_updates: false } });
  },

  envelopes: (request) => {
    if (!request.inboxId) throw new WebhookRejected("Telegram delivers to /webhooks/telegram/<inbox id>.", 404);
    let update: unknown;
    try {
      update = JSON.parse(request.rawBody.toString("utf8"));
    } catch {
      throw new WebhookRejected("The body is not valid JSON.");
    }
    const parsed = z.looseObject({ update_id: z.number().int().nonnegative() }).safeParse(update);
    if (!parsed.success) throw new WebhookRejected("The body is not a Telegram update (no update_id).");
    // update_id is unique per bot, and one inbox is one bot: redeliveries store nothing.
    return [{ inbox: { id: request.inboxId }, dedupeKey: `update:${parsed.data.update_id}`, payload: parsed.data }];
  },

  verify: (request, inbox) => sameSecret(request.headers["x-telegram-bot-api-secret-token"], inbox.secrets.webhookSecret),

  parse: parseTelegramUpdate,

  send: sendTelegramMessage,
};
