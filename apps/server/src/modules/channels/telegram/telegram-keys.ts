import { createHash } from "node:crypto";
import type { ChannelContext, ChannelInbox } from "../channel-adapter.ts";

/**
 * Telegram limits a button's callback_data to 64 bytes, while Parley's payloads may be 1000
 * characters. Longer payloads travel as a short hash key and are kept in file storage under it,
 * so the contact's answer maps back to the exact payload. Quick replies (a reply keyboard) come
 * back as plain text, so the last keyboard sent to each chat is kept to recognise its answers.
 */
const CALLBACK_DATA_MAX_BYTES = 64;
const HASHED_PREFIX = "~";

type Storage = ChannelContext["storage"];
type InboxRef = Pick<ChannelInbox, "id" | "workspaceId">;

const hashOf = (payload: string) => createHash("sha256").update(payload).digest("base64url").slice(0, 32);

const callbackKey = (inbox: InboxRef, hash: string) => `${inbox.workspaceId}/telegram/${inbox.id}/callbacks/c${hash}`;
const keyboardKey = (inbox: InboxRef, chatId: string) =>
  `${inbox.workspaceId}/telegram/${inbox.id}/keyboards/chat${chatId.replace(/[^0-9-]/g, "")}`;

const readText = async (storage: Storage, key: string): Promise<string | null> => {
  const stored = await storage.get(key);
  if (!stored) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stored.body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
};

/** The callback_data for a payload: itself when it fits (and cannot be mistaken for a key), else a stored key. */
export const callbackDataFor = async (storage: Storage, inbox: InboxRef, payload: string): Promise<string> => {
  if (Buffer.byteLength(payload, "utf8") <= CALLBACK_DATA_MAX_BYTES && !payload.startsWith(HASHED_PREFIX)) return payload;
  const hash = hashOf(payload);
  await storage.put(callbackKey(inbox, hash), Buffer.from(payload, "utf8"), "text/plain");
  return `${HASHED_PREFIX}${hash}`;
};

/** The payload a pressed button carried: stored keys are looked up, anything else is the payload itself. */
export const payloadOfCallbackData = async (storage: Storage, inbox: InboxRef, data: string): Promise<string> => {
  if (!data.startsWith(HASHED_PREFIX)) return data;
  const hash = data.slice(HASHED_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{32}$/.test(hash)) return data;
  return (await readText(storage, callbackKey(inbox, hash))) ?? data;
};

export type KeyboardChoice = { title: string; payload: string };

export const rememberKeyboard = async (storage: Storage, inbox: InboxRef, chatId: string, choices: KeyboardChoice[]) => {
  await storage.put(keyboardKey(inbox, chatId), Buffer.from(JSON.stringify(choices), "utf8"), "application/json");
};

/** The quick reply a contact's text answers, when it is exactly one of the last keyboard's titles. */
export const matchKeyboardChoice = async (
  storage: Storage,
  inbox: InboxRef,
  chatId: string,
  text: string,
): Promise<KeyboardChoice | null> => {
  const raw = await readText(storage, keyboardKey(inbox, chatId));
  if (!raw) return null;
  try {
    const choices: unknown = JSON.parse(raw);
    if (!Array.isArray(choices)) return null;
    const found = choices.find(
      (choice): choice is KeyboardChoice =>
        typeof choice?.title === "string" && typeof choice.payload === "string" && choice.title === text,
    );
    return found ?? null;
  } catch {
    return null;
  }
};
