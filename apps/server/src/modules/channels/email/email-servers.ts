import { createRequire } from "node:module";
import type { ImapFlow } from "imapflow";
import type { Transporter } from "nodemailer";
import { z } from "zod";
import type { ChannelContext, ChannelInbox } from "../channel-adapter.ts";
import { ChannelSendError } from "../channel-adapter.ts";

const require = createRequire(import.meta.url);
/** The mail libraries load with the first email inbox this process serves, not with the server. */
const nodemailer = (): typeof import("nodemailer") => require("nodemailer");
const ImapClient = (): typeof import("imapflow")["ImapFlow"] => require("imapflow").ImapFlow;

/** How long a connect check or a send may wait on a mail server before giving up. */
const SERVER_TIMEOUT_MS = 20_000;

const ZHost = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, "Use a host name or an IP address.");
const ZPort = z.number().int().min(1).max(65_535);

export const ZSmtpSettings = z.strictObject({
  host: ZHost,
  port: ZPort,
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it (587, 25). */
  secure: z.boolean(),
  user: z.string().max(320).optional(),
  password: z.string().max(1000).optional(),
});

export const ZImapSettings = z.strictObject({
  host: ZHost,
  port: ZPort,
  secure: z.boolean(),
  user: z.string().min(1).max(320),
  password: z.string().min(1).max(1000),
  mailbox: z.string().trim().min(1).max(200).default("INBOX"),
});

/** What the inbox keeps in its (non-secret) channel config about its servers; passwords live in secrets. */
export type StoredSmtp = { host: string; port: number; secure: boolean; user: string | null };
export type StoredImap = { host: string; port: number; secure: boolean; user: string; mailbox: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

export const storedSmtpOf = (inbox: ChannelInbox): StoredSmtp | null => {
  const smtp = inbox.config.smtp;
  if (!isRecord(smtp) || typeof smtp.host !== "string" || typeof smtp.port !== "number") return null;
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure === true,
    user: typeof smtp.user === "string" ? smtp.user : null,
  };
};

export const storedImapOf = (inbox: ChannelInbox): StoredImap | null => {
  const imap = inbox.config.imap;
  if (!isRecord(imap) || typeof imap.host !== "string" || typeof imap.port !== "number" || typeof imap.user !== "string")
    return null;
  return {
    host: imap.host,
    port: imap.port,
    secure: imap.secure === true,
    user: imap.user,
    mailbox: typeof imap.mailbox === "string" ? imap.mailbox : "INBOX",
  };
};

const timeouts = {
  connectionTimeout: SERVER_TIMEOUT_MS,
  greetingTimeout: SERVER_TIMEOUT_MS,
  socketTimeout: SERVER_TIMEOUT_MS * 3,
};

/** The inbox's own SMTP server, or Parley's (SMTP_URL) when it has none; null when neither exists. */
export const smtpTransportFor = (
  settings: { host: string; port: number; secure: boolean; user?: string | null; password?: string | null } | null,
  context: Pick<ChannelContext, "config">,
): Transporter | null => {
  if (settings) {
    return nodemailer().createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? "" } } : {}),
      ...timeouts,
    });
  }
  return context.config.smtpUrl ? nodemailer().createTransport({ url: context.config.smtpUrl, ...timeouts }) : null;
};

/**
 * An IMAP client. `idle`: it enters IDLE half a second after each command so the server pushes new
 * mail at once; servers without IDLE are polled with NOOP every 20 s instead.
 */
export const imapClientFor = (
  settings: Omit<StoredImap, "mailbox"> & { password: string },
  options: { idle?: boolean } = {},
): ImapFlow =>
  new (ImapClient())({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: { user: settings.user, pass: settings.password },
    logger: false,
    connectionTimeout: SERVER_TIMEOUT_MS,
    greetingTimeout: SERVER_TIMEOUT_MS,
    ...(options.idle
      ? { autoIdleDelay: 500, maxIdleTime: 20_000, missingIdleCommand: "NOOP" as const }
      : { disableAutoIdle: true }),
    clientInfo: { name: "Parley" },
  });

/** The server's own words for a failure: its SMTP reply or IMAP response text, else the socket error. */
export const serverWords = (error: unknown): string => {
  if (!isRecord(error)) return String(error);
  for (const key of ["response", "responseText"]) {
    const value = error[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return error instanceof Error ? error.message : String(error);
};

/** Checks the SMTP server accepts our connection and login; a refusal carries the server's reply. */
export const verifySmtp = async (transport: Transporter): Promise<void> => {
  try {
    await transport.verify();
  } catch (error) {
    throw new ChannelSendError({ message: `The SMTP server refused the connection: ${serverWords(error)}`, retryable: false });
  } finally {
    transport.close();
  }
};

/** Logs in to the IMAP server and opens the mailbox, as the polling will. */
export const verifyImap = async (settings: z.infer<typeof ZImapSettings>): Promise<{ uidValidity: string; uidNext: number }> => {
  const client = imapClientFor(settings);
  // A broken socket after the check must not crash the process; the check's own errors are thrown below.
  client.on("error", () => undefined);
  try {
    await client.connect();
    const mailbox = await client.mailboxOpen(settings.mailbox, { readOnly: true });
    return { uidValidity: String(mailbox.uidValidity), uidNext: mailbox.uidNext };
  } catch (error) {
    const isMissing = isRecord(error) && error.mailboxMissing === true;
    throw new ChannelSendError({
      message: isMissing
        ? `The IMAP server has no mailbox named ${settings.mailbox}.`
        : `The IMAP server refused the connection: ${serverWords(error)}`,
      retryable: false,
    });
  } finally {
    await client.logout().catch(() => client.close());
  }
};
