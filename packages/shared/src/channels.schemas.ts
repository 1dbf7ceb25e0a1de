import { z } from "zod";

export const CHANNEL_STATUSES = ["connected", "expiring", "error", "disconnected", "not_connected"] as const;

/** An inbox's platform connection as admins see it; credentials never leave the server. */
export const ZChannelConnection = z.object({
  inboxId: z.uuid(),
  platform: z.string(),
  status: z.enum(CHANNEL_STATUSES),
  /** The platform's own words when the connection last failed. */
  error: z.string().nullable(),
  /** The platform's id for this channel (phone number id, page id, bot id, address…). */
  channelKey: z.string().nullable(),
  displayName: z.string().nullable(),
  /** Where the platform must deliver webhooks (set automatically where the platform allows). */
  webhookUrl: z.string(),
  /** Non-secret settings the connection stored. */
  config: z.record(z.string(), z.unknown()),
  /** Credentials Parley issued (the API channel's token and signing secret): only in the connect answer, once. */
  issuedCredentials: z.record(z.string(), z.string()).optional(),
});
export type TChannelConnection = z.infer<typeof ZChannelConnection>;

/** Credentials differ per platform; the server validates them against the inbox's platform. */
export const ZConnectChannelRequest = z.strictObject({ credentials: z.record(z.string(), z.unknown()) });

export const ZChannelInboxParams = z.object({ inboxId: z.uuid() });
export const ZMessageRetryParams = z.object({ messageId: z.uuid() });
