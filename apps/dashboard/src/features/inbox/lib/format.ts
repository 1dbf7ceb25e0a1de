import type { TContactSummary } from "@parley/shared";

export const initialsOf = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");

/** A contact's best label: name, else email, else phone; null when the contact is anonymous. */
export const contactLabel = (contact: Pick<TContactSummary, "name" | "email" | "phone">): string | null =>
  contact.name ?? contact.email ?? contact.phone ?? null;

/** "4m", "2h", "3d": compact elapsed time since an ISO instant, in the given language's digits. */
export const formatElapsed = (iso: string, now: number, language: string): string => {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const format = (value: number, unit: "second" | "minute" | "hour" | "day") =>
    new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "narrow" }).format(value);
  if (seconds < 60) return format(seconds, "second");
  if (seconds < 3600) return format(Math.floor(seconds / 60), "minute");
  if (seconds < 86_400) return format(Math.floor(seconds / 3600), "hour");
  return format(Math.floor(seconds / 86_400), "day");
};
