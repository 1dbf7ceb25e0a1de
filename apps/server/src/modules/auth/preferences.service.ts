import {
  DEFAULT_NOTIFICATION_PREFERENCES,
  NOTIFICATION_KINDS,
  type TUpdatePreferencesRequest,
  type TUserPreferences,
  ZLanguageCode,
} from "@parley/shared";
import { eq } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { type AuditActor, changedFields } from "../audit/audit.service.ts";
import { type AccountServices, type Member, publishAll, recordForUser, userTarget } from "./account.service.ts";
import { users } from "./auth.tables.ts";

const SWITCHES = ["sound", "desktop", ...NOTIFICATION_KINDS] as const;

type StoredPreferences = { language?: string; notifications?: Partial<Record<(typeof SWITCHES)[number], boolean>> };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/**
 * Only what the member chose is stored; reading fills the defaults. Stored values are parsed one by
 * one, so a key written by another version of Parley never breaks the profile.
 */
const storedOf = (raw: unknown): StoredPreferences => {
  if (!isRecord(raw)) return {};
  const stored: StoredPreferences = {};
  const language = ZLanguageCode.safeParse(raw.language);
  if (language.success) stored.language = language.data;
  if (isRecord(raw.notifications)) {
    const notifications: NonNullable<StoredPreferences["notifications"]> = {};
    for (const key of SWITCHES) {
      const value = raw.notifications[key];
      if (typeof value === "boolean") notifications[key] = value;
    }
    stored.notifications = notifications;
  }
  return stored;
};

export const toPreferencesDto = (raw: unknown): TUserPreferences => {
  const stored = storedOf(raw);
  const language = ZLanguageCode.safeParse(stored.language);
  return {
    language: language.success ? language.data : null,
    notifications: { ...DEFAULT_NOTIFICATION_PREFERENCES, ...stored.notifications },
  };
};

export const getPreferences = async (db: DatabaseOrTransaction, userId: string): Promise<TUserPreferences> => {
  const [user] = await db.select({ preferences: users.preferences }).from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("unauthorized", "Your account no longer exists.");
  return toPreferencesDto(user.preferences);
};

/** Changes only the keys sent; notification switches merge one by one. */
export const updatePreferences = async (
  services: AccountServices,
  member: Member,
  input: TUpdatePreferencesRequest,
  actor: AuditActor,
): Promise<TUserPreferences> => {
  const { after, entries } = await services.db.transaction(async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, member.userId)).for("update");
    if (!row) throw new AppError("unauthorized", "Your account no longer exists.");
    const before = storedOf(row.preferences);
    const next: StoredPreferences = { ...before };
    if (input.language === null) delete next.language;
    else if (input.language !== undefined) next.language = input.language;
    if (input.notifications) next.notifications = { ...before.notifications, ...input.notifications };
    await tx.update(users).set({ preferences: next, updatedAt: new Date() }).where(eq(users.id, member.userId));
    const after = toPreferencesDto(next);
    const change = changedFields(toPreferencesDto(before), after);
    const entries = change
      ? await recordForUser(tx, row.id, { actor, action: "user.preferences_updated", target: userTarget(row), ...change })
      : [];
    return { after, entries };
  });
  publishAll(services, entries);
  return after;
};
