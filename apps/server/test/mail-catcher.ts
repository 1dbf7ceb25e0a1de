import PostalMime from "postal-mime";
import { SMTPServer } from "smtp-server";

export type CaughtMail = { to: string[]; subject: string; text: string; html: string; raw: Buffer };

export type MailCatcher = {
  /** SMTP_URL pointing at this server. */
  url: string;
  messages: CaughtMail[];
  /** The first message (already caught or still to come) matching the predicate. */
  waitFor: (predicate: (mail: CaughtMail) => boolean, timeoutMs?: number) => Promise<CaughtMail>;
  close: () => Promise<void>;
};

/** A real SMTP server in the test process: Parley delivers to it over TCP, tests read what arrived. */
export const startMailCatcher = async (): Promise<MailCatcher> => {
  const messages: CaughtMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        PostalMime.parse(raw)
          .then((parsed) => {
            messages.push({
              to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: parsed.html ?? "",
              raw,
            });
            for (const wake of waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms; got: ${messages.map((mail) => mail.subject).join(", ")}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

/** The first http(s) link in a mail's text that contains `fragment`. */
export const linkIn = (mail: CaughtMail, fragment: string): string => {
  const link = mail.text.match(/https?:\/\/\S+/g)?.find((candidate) => candidate.includes(fragment));
  if (!link) throw new Error(`no link containing ${fragment} in: ${mail.text}`);
  return link;
};

/** The first 6-digit code in a mail's text. */
export const codeIn = (mail: CaughtMail): string => {
  const code = /\b\d{6}\b/.exec(mail.text)?.[0];
  if (!code) throw new Error(`no 6-digit code in: ${mail.text}`);
  return code;
};
