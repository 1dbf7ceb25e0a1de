import type { TUser } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { readImageMetadata, renderWebp } from "../../platform/images.ts";
import type { AppServices } from "../../platform/services.ts";
import type { FileStorage } from "../../platform/storage.ts";
import type { AuditActor } from "../audit/audit.service.ts";
import { sniffContentType } from "../messages/attachments.service.ts";
import { type AccountServices, type Member, publishAll, recordForUser, userTarget } from "./account.service.ts";
import { users } from "./auth.tables.ts";
import { avatarKeyOf, newAvatarKey } from "./avatar-urls.ts";
import { toUserDto } from "./sign-in.ts";

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_MAX_PX = 256;

const AVATAR_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

type AvatarServices = AccountServices & Pick<AppServices, "logger">;

const notAnImage = () => new AppError("unsupported_media_type", "Use a PNG, JPEG, WebP or GIF image for your profile picture.");

/** The upload as a square WebP of at most 256 px, cropped around the centre; the type is sniffed from the bytes. */
const renderAvatar = async (bytes: Buffer, fileName: string): Promise<Buffer> => {
  if (bytes.length === 0) throw new AppError("bad_request", "The file is empty.", undefined, { reason: "file_empty" });
  let contentType: string;
  try {
    contentType = await sniffContentType(bytes, fileName);
  } catch {
    throw notAnImage();
  }
  if (!AVATAR_TYPES.has(contentType)) throw notAnImage();
  try {
    const metadata = await readImageMetadata(bytes, 100_000_000);
    const height = metadata.pageHeight ?? metadata.height ?? AVATAR_MAX_PX;
    const side = Math.max(1, Math.min(AVATAR_MAX_PX, metadata.width ?? AVATAR_MAX_PX, height));
    return await renderWebp(bytes, { maxPx: side, fit: "cover", quality: 85 });
  } catch {
    throw new AppError("unsupported_media_type", "This image could not be read; it may be damaged.", undefined, {
      reason: "image_unreadable",
    });
  }
};

/** Old files are removed after the change committed; a failure only leaves an orphan, never a broken picture. */
const deleteQuietly = async (services: AvatarServices, storage: FileStorage, key: string | null) => {
  if (!key) return;
  await storage
    .delete(key)
    .catch((error: unknown) => services.logger.warn({ err: error, key }, "could not delete an old avatar"));
};

const swapAvatar = async (
  services: AvatarServices,
  member: Member,
  nextKey: string | null,
  actor: AuditActor,
): Promise<{ user: TUser; previousKey: string | null }> => {
  const { after, previousKey, entries } = await services.db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, member.userId)).for("update");
    if (!before) throw new AppError("unauthorized", "Your account no longer exists.");
    const [after] = await tx
      .update(users)
      .set({ avatarKey: nextKey, updatedAt: new Date() })
      .where(eq(users.id, member.userId))
      .returning();
    if (!after) throw new Error("user update returned no row");
    const entries =
      before.avatarKey === nextKey
        ? []
        : await recordForUser(tx, after.id, {
            actor,
            action: nextKey === null ? "user.avatar_removed" : "user.avatar_updated",
            target: userTarget(after),
            before: { hasAvatar: before.avatarKey !== null },
            after: { hasAvatar: nextKey !== null },
          });
    return { after, previousKey: before.avatarKey, entries };
  });
  publishAll(services, entries);
  return { user: toUserDto(after), previousKey };
};

/** Sets the member's profile picture; the previous picture's file is deleted and its URL stops working. */
export const setAvatar = async (
  services: AvatarServices,
  storage: FileStorage,
  member: Member,
  upload: { fileName: string; bytes: Buffer },
  actor: AuditActor,
): Promise<TUser> => {
  const picture = await renderAvatar(upload.bytes, upload.fileName);
  const key = newAvatarKey(member.userId);
  await storage.put(key, picture, "image/webp");
  try {
    const { user, previousKey } = await swapAvatar(services, member, key, actor);
    await deleteQuietly(services, storage, previousKey);
    return user;
  } catch (error) {
    await deleteQuietly(services, storage, key);
    throw error;
  }
};

export const removeAvatar = async (
  services: AvatarServices,
  storage: FileStorage,
  member: Member,
  actor: AuditActor,
): Promise<TUser> => {
  const { user, previousKey } = await swapAvatar(services, member, null, actor);
  await deleteQuietly(services, storage, previousKey);
  return user;
};

/** A user's current picture, or null: a replaced picture's URL finds nothing even if its file lingers. */
export const readAvatar = async (db: DatabaseOrTransaction, storage: FileStorage, userId: string, file: string) => {
  const key = avatarKeyOf(userId, file);
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.avatarKey, key)));
  if (!user) return null;
  return storage.get(key);
};
