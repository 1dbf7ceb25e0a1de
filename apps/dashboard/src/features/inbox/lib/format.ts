import type { TContactSummary } from "@parley/shared";
import type { TFunction } from "i18next";

export const initialsOf = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");

/** The contact fields a display name is made of; surfaces that do not carry a phone leave it out. */
type NamedContact = Pick<TContactSummary, "id" | "name"> & Partial<Pick<TContactSummary, "email" | "phone">>;

/**
 * What people call a contact: their name, else email, else phone. An anonymous visitor is
 * "Visitor 4F9D", the end of their id (its random part), so two chatting at once are told apart
 * in the list, the header and notifications alike.
 */
export const contactDisplayName = (contact: NamedContact, t: TFunction): string =>
  contact.name ??
  contact.email ??
  contact.phone ??
  t("inbox.anonymousContact", { code: contact.id.replaceAll("-", "").slice(-4).toUpperCase() });

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
