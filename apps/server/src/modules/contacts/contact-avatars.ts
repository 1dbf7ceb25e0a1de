import { randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { readImageMetadata, renderWebp } from "../../platform/images.ts";
import type { AppServices } from "../../platform/services.ts";
import type { FileStorage } from "../../platform/storage.ts";
import { contacts } from "./contacts.tables.ts";

/**
 * Profile pictures a platform only hands to the bot (Telegram's file links carry the bot token),
 * copied into storage at `contact-avatars/<contactId>/<random>.webp` and served at
 * `<public url>/api/v1/contact-avatars/<contactId>/<random>.webp`. Like members' pictures, the random
 * part keeps the URL unlisted so an <img> needs no session; the URL only works while the contact
 * still shows that picture.
 */
export const CONTACT_AVATAR_FILE_PATTERN = /^[0-9a-f]{32}\.webp$/;

export const CONTACT_AVATAR_MAX_PX = 256;

const CONTACT_AVATAR_PREFIX = "contact-avatars";
const READABLE_TYPES: ReadonlySet<string> = new Set(["jpeg", "png", "webp", "gif"]);

const keyOf = (contactId: string, file: string) => `${CONTACT_AVATAR_PREFIX}/${contactId}/${file}`;
const pathOf = (contactId: string, file: string) => `/api/v1/${keyOf(contactId, file)}`;

/**
 * Stores a picture as the contact's avatar when they have none; false when it is not an image we
 * read, or when someone gave the contact a picture meanwhile (then nothing is kept).
 */
export const storeContactAvatar = async (
  services: Pick<AppServices, "config" | "logger"> & { db: DatabaseOrTransaction },
  storage: FileStorage,
  contactId: string,
  bytes: Buffer,
): Promise<boolean> => {
  let picture: Buffer;
  try {
    const metadata = await readImageMetadata(bytes, 25_000_000);
    if (!metadata.format || !READABLE_TYPES.has(metadata.format)) return false;
    const side = Math.max(1, Math.min(CONTACT_AVATAR_MAX_PX, metadata.width ?? 1, metadata.pageHeight ?? metadata.height ?? 1));
    picture = await renderWebp(bytes, { maxPx: side, fit: "cover", quality: 85 });
  } catch {
    return false;
  }
  const file = `${randomBytes(16).toString("hex")}.webp`;
  await storage.put(keyOf(contactId, file), picture, "image/webp");
  const [updated] = await services.db
    .update(contacts)
    .set({ avatarUrl: `${services.config.publicUrl}${pathOf(contactId, file)}`, updatedAt: new Date() })
    .where(and(eq(contacts.id, contactId), isNull(contacts.avatarUrl)))
    .returning({ id: contacts.id });
  if (updated) return true;
  await storage
    .delete(keyOf(contactId, file))
    .catch((error: unknown) => services.logger.warn({ err: error, contactId }, "could not delete an unused contact avatar"));
  return false;
};

/** The picture while the contact still shows it (the public URL may have moved since, so the path decides), else null. */
export const readContactAvatar = async (db: DatabaseOrTransaction, storage: FileStorage, contactId: string, file: string) => {
  const path = pathOf(contactId, file);
  const [contact] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), sql`right(${contacts.avatarUrl}, ${path.length}) = ${path}`));
  if (!contact) return null;
  return storage.get(keyOf(contactId, file));
};
