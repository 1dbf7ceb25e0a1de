import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { AppError } from "../../../platform/errors.ts";
import { resolvePublicTarget } from "../../webhooks/ssrf-guard.ts";
import { postJson, signWebhookBody } from "../../webhooks/webhook-delivery.ts";
import {
  type ChannelAdapter,
  type ChannelContext,
  ChannelSendError,
  type NormalizedEvent,
  WebhookRejected,
  type WebhookRequest,
} from "../channel-adapter.ts";
import { isRetryableStatus } from "../platform-http.ts";

/**
 * The API channel: any system posts its customers' messages to `/webhooks/api/<inbox id>` with
 * the inbox token, and receives agents' replies at its callback URL, signed like Parley's
 * outgoing webhooks (`parley-signature`). This is how a channel Parley has no adapter for plugs in.
 */

const ZContact = z.strictObject({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  email: z.email().max(320).optional(),
  phone: z.string().max(50).optional(),
  avatarUrl: z.url().max(2000).optional(),
});

export const ZApiChannelEvent = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("message"),
    /** Your id for the message: sending it twice stores it once. */
    id: z.string().min(1).max(200),
    contact: ZContact,
    text: z.string().max(20_000).default(""),
    attachments: z
      .array(z.strictObject({ url: z.url({ protocol: /^https?$/ }), fileName: z.string().min(1).max(255) }))
      .max(10)
      .default([]),
    /** Your id of the message this one replies to. */
    replyToId: z.string().max(200).optional(),
  }),
  z.strictObject({
    type: z.literal("status"),
    /** The id of one of our replies (the `id` we posted to your callback). */
    messageId: z.string().min(1).max(200),
    status: z.enum(["delivered", "read", "failed"]),
    error: z.string().max(1000).optional(),
  }),
]);
export type TApiChannelEvent = z.infer<typeof ZApiChannelEvent>;

const ZApiChannelBody = z.union([ZApiChannelEvent, z.strictObject({ events: z.array(ZApiChannelEvent).min(1).max(100) })]);

const ZConnectInput = z.strictObject({
  /** Where agents' replies are posted; leave it out to only receive messages. */
  callbackUrl: z
    .url({ protocol: /^https?$/, message: "Use an http(s) URL." })
    .max(2000)
    .optional(),
});

const bearerOf = (request: WebhookRequest): string | null => {
  const header = request.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice(7).trim() : null;
};

const sameSecret = (given: string, expected: string | undefined): boolean => {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const MEDIA_LIMIT_TIMEOUT_MS = 20_000;

const fetchPublicFile = (context: ChannelContext, url: string) => async () => {
  await resolvePublicTarget(url, { isPrivateTargetAllowed: context.config.webhooksAllowPrivateTargets });
  const response = await context.http({ url, timeoutMs: MEDIA_LIMIT_TIMEOUT_MS });
  if (response.status >= 400) {
    throw new ChannelSendError({
      message: `The attachment at ${url} answered ${response.status}.`,
      retryable: isRetryableStatus(response.status),
    });
  }
  return { bytes: response.body, contentType: response.headers.get("content-type") ?? undefined };
};

export const apiChannelAdapter: ChannelAdapter<typeof ZConnectInput> = {
  platform: "api",
  inboxType: "api",
  sharedWebhook: false,
  connectInput: ZConnectInput,
  capabilities: {
    maxTextLength: 20_000,
    buttons: 13,
    quickReplies: 13,
    cards: true,
    templates: false,
    location: true,
    contactCard: true,
    media: ["image", "video", "audio", "file"],
    reactions: false,
    edits: false,
    markdown: "platform",
  },

  connect: async (input, inbox, context) => {
    if (input.callbackUrl) {
      try {
        await resolvePublicTarget(input.callbackUrl, { isPrivateTargetAllowed: context.config.webhooksAllowPrivateTargets });
      } catch (error) {
        if (error instanceof AppError)
          throw new ChannelSendError({ message: `The callback URL is refused: ${error.message}`, retryable: false });
        throw error;
      }
    }
    // Connecting again issues new credentials, so a leaked token is revoked by reconnecting.
    const token = `pat_${randomBytes(24).toString("base64url")}`;
    const signingSecret = `whsec_${randomBytes(24).toString("base64url")}`;
    return {
      channelKey: inbox.id,
      config: { callbackUrl: input.callbackUrl ?? null },
      secrets: { token, signingSecret },
      displayName: input.callbackUrl ? new URL(input.callbackUrl).host : "API",
      issuedCredentials: { token, signingSecret },
    };
  },

  envelopes: (request) => {
    if (!request.inboxId) throw new WebhookRejected("Post to /webhooks/api/<inbox id>.", 404);
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody.toString("utf8"));
    } catch {
      throw new WebhookRejected("The body is not valid JSON.");
    }
    const parsed = ZApiChannelBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new WebhookRejected(
        `The body is not a message or status event${issue ? ` (${issue.path.join(".") || "body"}: ${issue.message})` : ""}.`,
      );
    }
    const events = "events" in parsed.data ? parsed.data.events : [parsed.data];
    const inboxId = request.inboxId;
    return events.map((event) => ({
      inbox: { id: inboxId },
      dedupeKey: event.type === "message" ? `message:${event.id}` : null,
      payload: event,
    }));
  },

  verify: (request, inbox) => {
    const token = bearerOf(request);
    return token !== null && sameSecret(token, inbox.secrets.token);
  },

  acknowledge: () => ({ status: 202, body: { ok: true } }),

  parse: async (payload, _inbox, context): Promise<NormalizedEvent[]> => {
    const event = ZApiChannelEvent.parse(payload);
    if (event.type === "status") {
      return [{ kind: "status", externalId: event.messageId, status: event.status, error: event.error ?? null }];
    }
    const media = event.attachments.map((attachment) => ({
      fileName: attachment.fileName,
      fetch: fetchPublicFile(context, attachment.url),
    }));
    return [
      {
        kind: "message",
        externalId: event.id,
        direction: "in",
        sourceId: event.contact.id,
        profile: {
          name: event.contact.name ?? null,
          email: event.contact.email ?? null,
          phone: event.contact.phone ?? null,
          avatarUrl: event.contact.avatarUrl ?? null,
        },
        contentType: media.length > 0 ? "file" : "text",
        text: event.text,
        media,
        replyToExternalId: event.replyToId ?? null,
      },
    ];
  },

  send: async (outbound, inbox, context) => {
    const callbackUrl = typeof inbox.config.callbackUrl === "string" ? inbox.config.callbackUrl : null;
    if (!callbackUrl) {
      throw new ChannelSendError({
        message: "This API inbox has no callback URL, so replies cannot be delivered.",
        retryable: false,
      });
    }
    const body = JSON.stringify({
      type: "message",
      id: outbound.messageId,
      conversationId: outbound.conversation.id,
      contact: { id: outbound.recipientId },
      sender: outbound.sender,
      contentType: outbound.contentType,
      text: outbound.text,
      content: outbound.content,
      attachments: outbound.attachments.map(({ fileName, contentType, byteSize, url }) => ({
        fileName,
        contentType,
        byteSize,
        url,
      })),
      replyToId: outbound.replyToExternalId,
    });
    let targets: Awaited<ReturnType<typeof resolvePublicTarget>>;
    try {
      targets = await resolvePublicTarget(callbackUrl, { isPrivateTargetAllowed: context.config.webhooksAllowPrivateTargets });
    } catch (error) {
      throw new ChannelSendError({
        message: error instanceof Error ? error.message : "The callback URL is refused.",
        retryable: false,
      });
    }
    const target = targets[0];
    if (!target) throw new ChannelSendError({ message: "The callback URL's host does not resolve.", retryable: true });
    const timestamp = Math.floor(Date.now() / 1000);
    let outcome: Awaited<ReturnType<typeof postJson>>;
    try {
      outcome = await postJson(
        new URL(callbackUrl),
        body,
        {
          "content-type": "application/json",
          "user-agent": "Parley-Channel/1",
          "parley-signature": signWebhookBody(inbox.secrets.signingSecret ?? "", body, timestamp),
        },
        target,
        AbortSignal.timeout(10_000),
      );
    } catch (error) {
      throw new ChannelSendError({
        message: `The callback URL could not be reached: ${error instanceof Error ? error.message : String(error)}`,
        retryable: true,
      });
    }
    if (outcome.status >= 200 && outcome.status < 300) return { externalId: outbound.messageId };
    throw new ChannelSendError({
      message: `The callback URL answered ${outcome.status}${outcome.excerpt ? `: ${outcome.excerpt.slice(0, 300)}` : ""}`,
      retryable: isRetryableStatus(outcome.status),
    });
  },
};
