import { createHash } from "node:crypto";

/** The most header bytes read synchronously; real header sections are a few kilobytes. */
const HEADER_SCAN_LIMIT = 256 * 1024;

/**
 * A message's top-level header fields, unfolded, names lowercased, in order. Webhook routing
 * runs before the (asynchronous) MIME parser, and only needs a few of these.
 */
export const readHeaderFields = (raw: Buffer): Array<{ name: string; value: string }> => {
  const head = raw.subarray(0, HEADER_SCAN_LIMIT).toString("latin1");
  const end = head.search(/\r?\n\r?\n/);
  const section = end === -1 ? head : head.slice(0, end);
  const fields: Array<{ name: string; value: string }> = [];
  for (const line of section.split(/\r?\n/)) {
    const previous = fields.at(-1);
    if (/^[ \t]/.test(line) && previous) {
      previous.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    fields.push({ name, value: line.slice(colon + 1).trim() });
  }
  return fields;
};

export const headerValue = (fields: ReadonlyArray<{ name: string; value: string }>, name: string): string | null =>
  fields.find((field) => field.name === name)?.value ?? null;

/** Message ids named in a header (`<a@b> <c@d>`), without angle brackets, in order. */
export const messageIdsIn = (value: string | null | undefined): string[] => {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1] ?? "").filter((id) => id !== "");
  if (bracketed.length > 0) return bracketed;
  // Some mailers leave the brackets out; a bare token with an @ is still an id.
  return value.split(/\s+/).filter((token) => /^[^\s@]+@[^\s@]+$/.test(token));
};

/**
 * The key that makes a message land once per inbox whichever way it arrives (IMAP, the raw MIME
 * endpoint, both): its Message-ID, or a hash of its bytes when the sender gave none.
 */
export const emailDedupeKey = (raw: Buffer, fields: ReadonlyArray<{ name: string; value: string }>): string => {
  const [messageId] = messageIdsIn(headerValue(fields, "message-id"));
  return messageId ? `message-id:${messageId}` : `sha256:${createHash("sha256").update(raw).digest("hex")}`;
};

/** The externalId a message is stored under when it has no Message-ID of its own. */
export const fallbackMessageId = (raw: Buffer): string =>
  `sha256-${createHash("sha256").update(raw).digest("hex")}@parley.invalid`;
