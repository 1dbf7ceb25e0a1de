import { timingSafeEqual } from "node:crypto";
import type { SecretBox } from "../../../platform/crypto.ts";

/**
 * Replies find their conversation by the address they are sent to: our mail carries
 * `Reply-To: support+<token>@example.com`, and the token names the conversation. Mail servers
 * deliver plus-addresses to the base mailbox; some lowercase addresses, so the token is
 * lowercase base32 (a UUID in 26 characters and a 50-bit signature in 10), short enough for the
 * 64-character local-part limit. Signed with the current key: after a key rotation old tokens
 * stop matching, and replies still thread by their In-Reply-To header.
 */

const PURPOSE = "email-reply-token";
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const UUID_CHARS = 26;
const MAC_CHARS = 10;
export const REPLY_TOKEN_LENGTH = UUID_CHARS + MAC_CHARS;
const LOCAL_PART_MAX = 64;

const toBase32 = (bytes: Uint8Array): string => {
  let bits = 0;
  let value = 0;
  let output = "";
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      output += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += ALPHABET[(value << (5 - bits)) & 31];
  return output;
};

const fromBase32 = (text: string, byteLength: number): Buffer | null => {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const character of text) {
    const index = ALPHABET.indexOf(character);
    if (index === -1) return null;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return bytes.length >= byteLength ? Buffer.from(bytes.slice(0, byteLength)) : null;
};

const signatureOf = (secrets: Pick<SecretBox, "sign">, conversationId: string): string => {
  const mac = secrets.sign(PURPOSE, { c: conversationId }).split(".")[2] ?? "";
  return toBase32(Buffer.from(mac, "base64url")).slice(0, MAC_CHARS);
};

export const makeReplyToken = (secrets: Pick<SecretBox, "sign">, conversationId: string): string =>
  toBase32(Buffer.from(conversationId.replace(/-/g, ""), "hex")) + signatureOf(secrets, conversationId);

/** The conversation a token names, when its signature holds. */
export const readReplyToken = (secrets: Pick<SecretBox, "sign">, token: string): string | null => {
  if (token.length !== REPLY_TOKEN_LENGTH) return null;
  const bytes = fromBase32(token.slice(0, UUID_CHARS), 16);
  if (!bytes) return null;
  const hex = bytes.toString("hex");
  const conversationId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expected = Buffer.from(signatureOf(secrets, conversationId));
  const given = Buffer.from(token.slice(UUID_CHARS));
  return expected.length === given.length && timingSafeEqual(expected, given) ? conversationId : null;
};

/** `local+token@domain`, or null when that would pass the local-part limit (the plain address is used). */
export const replyAddressFor = (address: string, token: string): string | null => {
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  if (at <= 0 || local.length + 1 + token.length > LOCAL_PART_MAX) return null;
  return `${local}+${token}${address.slice(at)}`;
};

/** The token in any of these recipient addresses that is a plus-address of the inbox's address. */
export const replyTokenIn = (inboxAddress: string, recipients: readonly string[]): string | null => {
  const at = inboxAddress.lastIndexOf("@");
  const local = inboxAddress.slice(0, at).toLowerCase();
  const domain = inboxAddress.slice(at + 1).toLowerCase();
  for (const recipient of recipients) {
    const lower = recipient.trim().toLowerCase();
    const prefix = `${local}+`;
    if (!lower.startsWith(prefix) || !lower.endsWith(`@${domain}`)) continue;
    const token = lower.slice(prefix.length, lower.length - domain.length - 1);
    if (token.length === REPLY_TOKEN_LENGTH) return token;
  }
  return null;
};
