import type { z } from "zod";
import type { AppServices } from "../../platform/services.ts";
import type { FileStorage } from "../../platform/storage.ts";
import type { InboxType } from "../inboxes/inboxes.tables.ts";
import type { ContentType } from "../messages/messages.tables.ts";

/** The platforms with a webhook endpoint, `/webhooks/<platform>`. */
export type ChannelPlatform = "whatsapp" | "messenger" | "instagram" | "telegram" | "twilio" | "email" | "api";

/** A webhook request as it arrived: signatures are computed over `rawBody`, never over re-serialised JSON. */
export type WebhookRequest = {
  method: "GET" | "POST";
  /** The full public URL the platform called (Twilio signs it). */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  /** `/webhooks/<platform>/<inboxId>` names its inbox; platforms with one app-wide URL leave it out. */
  inboxId: string | null;
};

/** An inbox with its platform connection, secrets decrypted, as adapters see it. */
export type ChannelInbox = {
  id: string;
  workspaceId: string;
  type: InboxType;
  name: string;
  channelKey: string | null;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
};

/** What adapters may use: configuration, the shared HTTP client and file storage. */
export type ChannelContext = Pick<AppServices, "config" | "logger" | "secrets"> & {
  http: PlatformHttp;
  storage: FileStorage;
};

export type PlatformHttpRequest = {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless `form` or `rawBody` is given. */
  json?: unknown;
  form?: Record<string, string>;
  rawBody?: Buffer;
  timeoutMs?: number;
};
export type PlatformHttpResponse = { status: number; headers: Headers; body: Buffer; json: () => unknown };
/** Every outbound platform call goes through this, so tests can point adapters at local fakes. */
export type PlatformHttp = (request: PlatformHttpRequest) => Promise<PlatformHttpResponse>;

/** A file an inbound message carries, fetched into our storage by the processing job. */
export type InboundMedia = {
  /** Fetches the bytes from the platform (media endpoints need the inbox's token). */
  fetch: () => Promise<{ bytes: Buffer; contentType?: string | undefined }>;
  fileName: string;
};

/**
 * A contact's profile picture that costs platform calls to get (Telegram's getUserProfilePhotos,
 * getFile, download): fetched only when the contact has no picture yet. null: they have none to show.
 */
export type ProfilePicture = {
  fetch: () => Promise<{ bytes: Buffer; contentType?: string | undefined } | null>;
};

export type SenderProfile = {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  avatarUrl?: string | null;
};

/** One thing that happened on the platform, in Parley's terms. */
export type NormalizedEvent =
  | {
      kind: "message";
      /** The platform's message id: a message is stored once per inbox whatever the redeliveries. */
      externalId: string;
      /** in: the contact wrote. echo: someone answered from the platform's own app; it becomes an agent message. */
      direction: "in" | "echo";
      /** The contact's id on the platform (PSID, wa_id, chat id, address, phone number…). */
      sourceId: string;
      profile?: SenderProfile;
      contentType: ContentType;
      text: string;
      content?: Record<string, unknown>;
      media?: InboundMedia[];
      /** The platform id of the message this one replies to or quotes. */
      replyToExternalId?: string | null;
      /** Email: the ids this message's thread names (In-Reply-To, References), newest last. */
      threadExternalIds?: string[];
      /** Email: the conversation a reply token in the address names. */
      conversationIdHint?: string | null;
      sentAt?: Date;
    }
  | {
      kind: "status";
      externalId: string;
      status: "sent" | "delivered" | "read" | "failed";
      error?: string | null;
      at?: Date;
    }
  /** The contact read everything we sent up to this moment (Messenger's watermark, Telegram has none). */
  | { kind: "read_up_to"; sourceId: string; at: Date }
  | { kind: "reaction"; sourceId: string; targetExternalId: string; emoji: string | null }
  | { kind: "edit"; externalId: string; text: string; content?: Record<string, unknown> }
  | { kind: "delete"; externalId: string }
  /** Profile facts learnt later (a name from a lookup, a changed username, a picture to fetch). */
  | { kind: "profile"; sourceId: string; profile: SenderProfile; picture?: ProfilePicture };

/**
 * One platform message of a Parley message that takes several (text pieces, each file, each card),
 * by its position in the adapter's plan for that message.
 */
export type SentPart = { index: number; externalId: string };

/** An agent's or bot's message on its way to the platform. */
export type NormalizedOutbound = {
  messageId: string;
  /** The contact's id on the platform. */
  recipientId: string;
  contentType: ContentType;
  text: string;
  content: Record<string, unknown>;
  attachments: Array<{ fileName: string; contentType: string; byteSize: number; url: string; read: () => Promise<Buffer> }>;
  replyToExternalId: string | null;
  /** When the contact last wrote in this conversation (platform reply windows start there). */
  lastInboundAt: Date | null;
  conversation: { id: string; number: number; subject: string | null };
  /** Email: earlier message ids of the thread, oldest first, for In-Reply-To and References. */
  threadExternalIds: string[];
  sender: { type: "agent" | "bot"; name: string | null };
  /** Parts an earlier attempt delivered: a retry sends only the rest, so the contact never sees one twice. */
  partsAlreadySent: ReadonlyArray<SentPart>;
  /** Records a delivered part; awaited before the next part goes out (see sendPartOnce). */
  onPartSent: (part: SentPart) => Promise<void>;
};

/** What a channel can show; the fallback renderer turns everything else into readable text. */
export type ChannelCapabilities = {
  maxTextLength: number;
  buttons: number;
  quickReplies: number;
  cards: boolean;
  templates: boolean;
  location: boolean;
  contactCard: boolean;
  media: ReadonlyArray<"image" | "video" | "audio" | "file">;
  reactions: boolean;
  edits: boolean;
  markdown: "none" | "platform" | "html";
};

/** The platform's answer to a connect: its id for the channel, settings and credentials to keep. */
export type ChannelConnection = {
  channelKey: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** Shown to admins, e.g. "@acme_bot" or "+1 555 0100". */
  displayName?: string;
  /** Credentials Parley made for the admin (the API channel's token), shown once in the connect answer. */
  issuedCredentials?: Record<string, string>;
};

/** One unit of work a webhook request holds, for one inbox. */
export type WebhookEnvelope = {
  /** Which inbox: by id (from the URL) or by the platform's channel key (phone number id, page id…). */
  inbox: { id: string } | { channelKey: string };
  /** Unique per inbox for this delivery (a message id, an update id); null when the platform gives none. */
  dedupeKey: string | null;
  payload: unknown;
};

export type WebhookReply = { status: number; body?: string | Record<string, unknown>; contentType?: string };

export type ChannelAdapter<ConnectInput extends z.ZodType = z.ZodType> = {
  platform: ChannelPlatform;
  inboxType: InboxType;
  capabilities: ChannelCapabilities;
  /** Credentials and settings an admin gives to connect (validated before `connect` runs). */
  connectInput: ConnectInput;
  /**
   * true: one app-wide URL, `/webhooks/<platform>`, routed by channel key (Meta's apps).
   * false: each inbox has its own, `/webhooks/<platform>/<inbox id>`.
   */
  sharedWebhook: boolean;
  /**
   * The channel key the credentials name, when they name it without asking the platform (a phone
   * number, a page id, a bot token's id): a key another inbox holds is refused before `connect`
   * registers anything on the platform, so the other inbox keeps its webhook.
   */
  channelKeyOf?: (input: z.infer<ConnectInput>) => string;
  /** Checks the credentials with the platform (and registers `webhookUrl` where the platform allows). */
  connect: (
    input: z.infer<ConnectInput>,
    inbox: ChannelInbox,
    context: ChannelContext,
    webhookUrl: string,
  ) => Promise<ChannelConnection>;
  /** Undoes what connect registered on the platform (best effort; the inbox disconnects regardless). */
  disconnect?: (inbox: ChannelInbox, context: ChannelContext) => Promise<void>;
  /** Meta's GET subscribe handshake and similar; undefined means GET is not part of this platform. */
  handshake?: (request: WebhookRequest, context: ChannelContext) => WebhookReply;
  /** Splits a webhook into per-inbox envelopes; throws WebhookRejected for malformed input. */
  envelopes: (request: WebhookRequest) => WebhookEnvelope[];
  /** True when the request really comes from the platform for this inbox (signature, secret token). */
  verify: (request: WebhookRequest, inbox: ChannelInbox, context: ChannelContext) => boolean;
  /** What the platform expects back once the events are stored (most want a bare 200). */
  acknowledge?: (request: WebhookRequest) => WebhookReply;
  /** Turns a stored envelope payload into events; runs in the processing job, may call the platform. */
  parse: (payload: unknown, inbox: ChannelInbox, context: ChannelContext) => Promise<NormalizedEvent[]>;
  /** Sends one message; throws ChannelSendError with the platform's reason when it refuses. */
  send: (outbound: NormalizedOutbound, inbox: ChannelInbox, context: ChannelContext) => Promise<{ externalId: string }>;
  /**
   * Refuses a message the platform will not accept before it is stored (e.g. WhatsApp outside
   * the 24-hour window without a template), so the agent gets the reason at once.
   */
  checkSendable?: (outbound: Pick<NormalizedOutbound, "contentType" | "content" | "lastInboundAt">, inbox: ChannelInbox) => void;
  /** Marks the contact's messages read on the platform when an agent reads them (WhatsApp read marks). */
  markRead?: (externalIds: string[], inbox: ChannelInbox, context: ChannelContext) => Promise<void>;
};

/** A malformed webhook: answered 400 and not stored. */
export class WebhookRejected extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = "WebhookRejected";
    this.status = status;
  }
}

/**
 * The platform refused a message. `retryable` errors (rate limits, timeouts, 5xx) are tried again
 * with backoff; the others fail the message at once with `reason` shown to the agent.
 */
export class ChannelSendError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  constructor(options: { message: string; retryable: boolean; code?: string }) {
    super(options.message);
    this.name = "ChannelSendError";
    this.retryable = options.retryable;
    this.code = options.code ?? (options.retryable ? "platform_unavailable" : "channel_rejected");
  }
}
