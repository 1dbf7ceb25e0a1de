import { z } from "zod";
import { type ChannelAdapter, ChannelSendError, WebhookRejected, type WebhookRequest } from "../channel-adapter.ts";
import { accountUrl, callTwilio } from "./twilio-api.ts";
import {
  credentialsOf,
  isStatusCallback,
  parseTwilioWebhook,
  SMS_BODY_MAX,
  sendTwilioMessage,
  twilioWebhookUrl,
  ZTwilioWebhook,
} from "./twilio-messages.ts";
import { isValidTwilioSignature } from "./twilio-signature.ts";

/**
 * SMS and MMS through Twilio. Each inbox is one Twilio phone number; its incoming-message URL
 * (SmsUrl) and every message's StatusCallback point at `/webhooks/twilio/<inbox id>`, and every
 * request is checked against the X-Twilio-Signature made with the account's auth token.
 */
const ZConnectInput = z.strictObject({
  accountSid: z
    .string()
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, { message: "An Account SID starts with AC followed by 32 hexadecimal characters." }),
  authToken: z.string().trim().min(16).max(128),
  phoneNumber: z
    .string()
    .trim()
    .regex(/^\+[1-9]\d{6,14}$/, { message: "Use the E.164 format, e.g. +14155550100." }),
});

const ZAccount = z.object({ sid: z.string(), friendly_name: z.string().optional(), status: z.string().optional() });
const ZIncomingNumbers = z.object({
  incoming_phone_numbers: z.array(
    z.object({
      sid: z.string(),
      phone_number: z.string(),
      friendly_name: z.string().optional(),
      sms_url: z.string().nullable().optional(),
      capabilities: z.object({ sms: z.boolean().optional(), mms: z.boolean().optional() }).partial().optional(),
    }),
  ),
});

const formParams = (request: WebhookRequest): Array<[string, string]> => [
  ...new URLSearchParams(request.rawBody.toString("utf8")).entries(),
];

/** Twilio reads TwiML from the answer to an incoming message; an empty Response means "no automatic reply". */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export const twilioAdapter: ChannelAdapter<typeof ZConnectInput> = {
  platform: "twilio",
  inboxType: "sms",
  sharedWebhook: false,
  connectInput: ZConnectInput,
  channelKeyOf: (input) => input.phoneNumber,
  capabilities: {
    maxTextLength: SMS_BODY_MAX,
    buttons: 0,
    quickReplies: 0,
    cards: false,
    templates: false,
    location: false,
    contactCard: false,
    media: ["image", "video", "audio", "file"],
    reactions: false,
    edits: false,
    markdown: "none",
  },

  connect: async (input, _inbox, context, webhookUrl) => {
    const credentials = { accountSid: input.accountSid, authToken: input.authToken };
    const account = ZAccount.parse(
      await callTwilio(context, credentials, { method: "GET", url: accountUrl(context, input.accountSid) }),
    );
    if (account.status && account.status !== "active") {
      throw new ChannelSendError({
        message: `The Twilio account is ${account.status}; only an active account can send.`,
        retryable: false,
      });
    }
    const listUrl = `${accountUrl(context, input.accountSid, "/IncomingPhoneNumbers")}?PhoneNumber=${encodeURIComponent(input.phoneNumber)}`;
    const numbers = ZIncomingNumbers.parse(await callTwilio(context, credentials, { method: "GET", url: listUrl }));
    const number = numbers.incoming_phone_numbers.find((candidate) => candidate.phone_number === input.phoneNumber);
    if (!number) {
      throw new ChannelSendError({
        message: `${input.phoneNumber} is not a phone number of this Twilio account (${account.friendly_name ?? account.sid}).`,
        retryable: false,
      });
    }
    if (number.capabilities?.sms === false) {
      throw new ChannelSendError({ message: `${input.phoneNumber} cannot send or receive SMS.`, retryable: false });
    }
    // Incoming messages to this number are delivered to Parley from now on.
    await callTwilio(context, credentials, {
      method: "POST",
      url: accountUrl(context, input.accountSid, `/IncomingPhoneNumbers/${encodeURIComponent(number.sid)}`),
      form: new URLSearchParams({ SmsUrl: webhookUrl, SmsMethod: "POST" }),
    });
    return {
      channelKey: input.phoneNumber,
      config: {
        accountSid: input.accountSid,
        phoneNumber: input.phoneNumber,
        phoneNumberSid: number.sid,
        canSendMms: number.capabilities?.mms ?? null,
      },
      secrets: { authToken: input.authToken },
      displayName: input.phoneNumber,
    };
  },

  /** Stops the number delivering to Parley, unless someone pointed it elsewhere meanwhile. */
  disconnect: async (inbox, context) => {
    const credentials = credentialsOf(inbox);
    const numberSid = typeof inbox.config.phoneNumberSid === "string" ? inbox.config.phoneNumberSid : null;
    if (!numberSid) return;
    const url = accountUrl(context, credentials.accountSid, `/IncomingPhoneNumbers/${encodeURIComponent(numberSid)}`);
    const current = z
      .object({ sms_url: z.string().nullable().optional() })
      .parse(await callTwilio(context, credentials, { method: "GET", url }));
    if (current.sms_url !== twilioWebhookUrl(context, inbox.id)) return;
    await callTwilio(context, credentials, { method: "POST", url, form: new URLSearchParams({ SmsUrl: "" }) });
  },

  envelopes: (request) => {
    if (!request.inboxId) throw new WebhookRejected("Twilio delivers to /webhooks/twilio/<inbox id>.", 404);
    const parsed = ZTwilioWebhook.safeParse(Object.fromEntries(formParams(request)));
    if (!parsed.success) throw new WebhookRejected("The body is not a Twilio messaging webhook (no MessageSid).");
    const webhook = parsed.data;
    // A message is stored once per MessageSid; each status of it once.
    const dedupeKey = isStatusCallback(webhook) ? `${webhook.MessageSid}:${webhook.MessageStatus}` : webhook.MessageSid;
    return [{ inbox: { id: request.inboxId }, dedupeKey, payload: webhook }];
  },

  verify: (request, inbox) =>
    isValidTwilioSignature(inbox.secrets.authToken, request.url, formParams(request), request.headers["x-twilio-signature"]),

  acknowledge: () => ({ status: 200, body: EMPTY_TWIML, contentType: "text/xml" }),

  parse: parseTwilioWebhook,

  send: sendTwilioMessage,
};
