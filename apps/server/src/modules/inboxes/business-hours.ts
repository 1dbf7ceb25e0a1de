import type { BusinessHours } from "./inboxes.tables.ts";

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

const formatters = new Map<string, Intl.DateTimeFormat>();

// One formatter per zone: building them is the expensive part and routing asks often.
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/** The wall-clock date, weekday and minute of the day at `at` in `timeZone`. */
export const localTimeIn = (timeZone: string, at: Date): { date: string; day: number; minute: number } => {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  const day = WEEKDAYS[parts.weekday ?? ""];
  if (day === undefined) throw new Error(`unexpected weekday "${parts.weekday}" for ${timeZone}`);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
};

/**
 * Whether an inbox is open at `at`: always when business hours are off; otherwise when the local
 * time in the inbox's zone falls in one of that weekday's ranges and the local date is no holiday.
 */
export const isWithinBusinessHours = (hours: BusinessHours | null, at: Date): boolean => {
  if (!hours?.isEnabled) return true;
  const local = localTimeIn(hours.timezone, at);
  if (hours.holidays.includes(local.date)) return false;
  return hours.weekly.some(
    (range) => range.day === local.day && local.minute >= range.startMinute && local.minute < range.endMinute,
  );
};
