import { useSyncExternalStore } from "react";

/**
 * Which alerts this member wants. The server has no notification-preference API yet, so the
 * choice lives in this browser's storage (per device), keyed by user.
 */
export type NotificationPreferences = {
  sound: boolean;
  desktop: boolean;
  newConversation: boolean;
  newMessage: boolean;
  mention: boolean;
  assignment: boolean;
};

export type NotificationKind = "newConversation" | "newMessage" | "mention" | "assignment";

const DEFAULTS: NotificationPreferences = {
  sound: true,
  desktop: true,
  newConversation: true,
  newMessage: true,
  mention: true,
  assignment: true,
};

const storageKey = (userId: string) => `parley.notifications.${userId}`;

const cache = new Map<string, NotificationPreferences>();
const listeners = new Set<() => void>();

const read = (userId: string): NotificationPreferences => {
  const cached = cache.get(userId);
  if (cached) return cached;
  let stored: unknown = null;
  try {
    stored = JSON.parse(window.localStorage.getItem(storageKey(userId)) ?? "null");
  } catch {
    stored = null;
  }
  const preferences = { ...DEFAULTS };
  if (typeof stored === "object" && stored !== null) {
    for (const key of Object.keys(DEFAULTS) as Array<keyof NotificationPreferences>) {
      const value: unknown = Reflect.get(stored, key);
      if (typeof value === "boolean") preferences[key] = value;
    }
  }
  cache.set(userId, preferences);
  return preferences;
};

export const readNotificationPreferences = read;

export const writeNotificationPreferences = (userId: string, changes: Partial<NotificationPreferences>) => {
  const next = { ...read(userId), ...changes };
  cache.set(userId, next);
  try {
    window.localStorage.setItem(storageKey(userId), JSON.stringify(next));
  } catch {
    // Storage refused (private mode): the choice lasts for this tab.
  }
  for (const listener of listeners) listener();
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useNotificationPreferences = (userId: string): NotificationPreferences =>
  useSyncExternalStore(subscribe, () => read(userId));
