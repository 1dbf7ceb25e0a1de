import type { InboxType } from "../inboxes/inboxes.tables.ts";
import { apiChannelAdapter } from "./api/api-channel.adapter.ts";
import type { ChannelAdapter, ChannelPlatform } from "./channel-adapter.ts";
import { emailChannelAdapter } from "./email/email-channel.adapter.ts";
import { instagramAdapter } from "./instagram/instagram.adapter.ts";
import { messengerAdapter } from "./messenger/messenger.adapter.ts";
import { telegramAdapter } from "./telegram/telegram.adapter.ts";
import { twilioAdapter } from "./twilio/twilio.adapter.ts";
import { whatsappAdapter } from "./whatsapp/whatsapp.adapter.ts";

/** Every platform adapter; a platform without one has no webhook endpoint and no connect flow. */
const adapters: readonly ChannelAdapter[] = [
  apiChannelAdapter,
  whatsappAdapter,
  messengerAdapter,
  instagramAdapter,
  telegramAdapter,
  twilioAdapter,
  emailChannelAdapter,
];

const byPlatform = new Map<string, ChannelAdapter>(adapters.map((adapter) => [adapter.platform, adapter]));
const byInboxType = new Map<string, ChannelAdapter>(adapters.map((adapter) => [adapter.inboxType, adapter]));

export const adapterForPlatform = (platform: string): ChannelAdapter | null => byPlatform.get(platform) ?? null;

/** The adapter that carries an inbox's messages; null for website inboxes (the widget socket does). */
export const adapterForInboxType = (type: InboxType): ChannelAdapter | null => byInboxType.get(type) ?? null;

export const channelPlatforms = (): ChannelPlatform[] => adapters.map((adapter) => adapter.platform);
