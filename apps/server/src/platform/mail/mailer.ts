import { createRequire } from "node:module";
import { and, desc, eq, lt } from "drizzle-orm";
import type { Transporter } from "nodemailer";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Database, DatabaseOrTransaction } from "../db.ts";
import { enqueueJob } from "../queue/enqueue.ts";
import { defineTask } from "../queue/tasks.ts";
import { mailMessages } from "./mail.tables.ts";
import type { RenderedMail } from "./templates.ts";

const require = createRequire(import.meta.url);
/** nodemailer loads with the first mail this process sends over SMTP, not with the server. */
const nodemailer = (): typeof import("nodemailer") => require("nodemailer");

export type OutgoingMail = RenderedMail & {
  to: string;
  /** The workspace the mail concerns: its admins see it in the dev mailbox. */
  workspaceId: string | null;
};

export type Mailer = {
  /** True when mail stays in the dev mailbox because SMTP_URL is not set. */
  isDevMailbox: boolean;
  /** Stores the message in the caller's transaction; with SMTP a job delivers it after commit. */
  queue: (tx: DatabaseOrTransaction, mail: OutgoingMail) => Promise<string>;
};

export const sendMailTask = defineTask({
  name: "mail.send",
  payload: z.object({ messageId: z.uuid(), workspaceId: z.uuid().nullable() }),
  maxAttempts: 8,
  run: async ({ messageId }, { db, config }) => {
    const [message] = await db.select().from(mailMessages).where(eq(mailMessages.id, messageId));
    if (!message || message.status === "sent") return;
    try {
      await smtpTransport(config).sendMail({
        from: config.mailFrom,
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
      });
    } catch (error) {
      await db
        .update(mailMessages)
        .set({ status: "failed", error: error instanceof Error ? error.message.slice(0, 1000) : String(error) })
        .where(eq(mailMessages.id, messageId));
      throw error;
    }
    await db.update(mailMessages).set({ status: "sent", sentAt: new Date(), error: null }).where(eq(mailMessages.id, messageId));
  },
});

const transports = new Map<string, Transporter>();

const smtpTransport = (config: Pick<Config, "smtpUrl">): Transporter => {
  if (!config.smtpUrl) throw new Error("SMTP_URL is not set; mail stays in the dev mailbox");
  let transport = transports.get(config.smtpUrl);
  if (!transport) {
    transport = nodemailer().createTransport(config.smtpUrl);
    transports.set(config.smtpUrl, transport);
  }
  return transport;
};

export const createMailer = (config: Pick<Config, "smtpUrl">): Mailer => {
  const isDevMailbox = config.smtpUrl === undefined;
  return {
    isDevMailbox,
    queue: async (tx, mail) => {
      const [row] = await tx
        .insert(mailMessages)
        .values({
          workspaceId: mail.workspaceId,
          toAddress: mail.to,
          subject: mail.subject,
          textBody: mail.text,
          htmlBody: mail.html,
          transport: isDevMailbox ? "dev_mailbox" : "smtp",
          status: isDevMailbox ? "sent" : "queued",
          sentAt: isDevMailbox ? new Date() : null,
        })
        .returning({ id: mailMessages.id });
      if (!row) throw new Error("mail insert returned no row");
      if (!isDevMailbox) await enqueueJob(tx, sendMailTask, { messageId: row.id, workspaceId: mail.workspaceId });
      return row.id;
    },
  };
};

export const ZDevMailboxQuery = z.strictObject({
  cursor: z.uuid({ message: "use the nextCursor value from the previous page" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

/** Mail kept in the dev mailbox for one workspace, newest first. */
export const listDevMailbox = async (db: Database, workspaceId: string, page: z.infer<typeof ZDevMailboxQuery>) => {
  const rows = await db
    .select()
    .from(mailMessages)
    .where(
      and(
        eq(mailMessages.workspaceId, workspaceId),
        eq(mailMessages.transport, "dev_mailbox"),
        page.cursor ? lt(mailMessages.id, page.cursor) : undefined,
      ),
    )
    .orderBy(desc(mailMessages.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    to: row.toAddress,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody,
    createdAt: row.createdAt.toISOString(),
  }));
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
};
