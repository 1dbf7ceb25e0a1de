import { randomBytes } from "node:crypto";

/**
 * Profile pictures live at `avatars/<userId>/<random>.webp` in storage and are served publicly at
 * `/api/v1/avatars/<userId>/<random>.webp`: colleagues and website visitors (who have no session)
 * see them. The random part makes the URL unguessable, and a new picture gets a new URL, so it
 * may be cached forever.
 */
export const AVATAR_FILE_PATTERN = /^[0-9a-f]{32}\.webp$/;

const AVATAR_KEY_PREFIX = "avatars/";

export const newAvatarKey = (userId: string): string => `${AVATAR_KEY_PREFIX}${userId}/${randomBytes(16).toString("hex")}.webp`;

export const avatarKeyOf = (userId: string, file: string): string => `${AVATAR_KEY_PREFIX}${userId}/${file}`;

/** The public URL path of a stored picture; a path, so the dashboard and the widget frame resolve it on Parley's origin. */
export const avatarUrlOf = (avatarKey: string | null): string | null =>
  avatarKey?.startsWith(AVATAR_KEY_PREFIX) ? `/api/v1/${avatarKey}` : null;
