import { describe, expect, it } from "vitest";
import { isWithinBusinessHours } from "../src/modules/inboxes/business-hours.ts";
import type { BusinessHours } from "../src/modules/inboxes/inboxes.tables.ts";

const MONDAY_TO_FRIDAY = [1, 2, 3, 4, 5];

const officeHours = (overrides: Partial<BusinessHours> = {}): BusinessHours => ({
  isEnabled: true,
  timezone: "Europe/Berlin",
  // 09:00–12:00 and 13:00–17:30, a lunch break between.
  weekly: MONDAY_TO_FRIDAY.flatMap((day) => [
    { day, startMinute: 9 * 60, endMinute: 12 * 60 },
    { day, startMinute: 13 * 60, endMinute: 17 * 60 + 30 },
  ]),
  holidays: [],
  ...overrides,
});

describe("business hours", () => {
  it("is always open when business hours are off or not set", () => {
    expect(isWithinBusinessHours(null, new Date("2026-01-04T03:00:00Z"))).toBe(true);
    expect(isWithinBusinessHours(officeHours({ isEnabled: false }), new Date("2026-01-04T03:00:00Z"))).toBe(true);
  });

  it("reads the schedule in the inbox's time zone, with several ranges per day and an exclusive end", () => {
    const hours = officeHours();
    // Wednesday 14 January 2026; Berlin is UTC+1 in winter.
    expect(isWithinBusinessHours(hours, new Date("2026-01-14T07:59:00Z"))).toBe(false); // 08:59 local
    expect(isWithinBusinessHours(hours, new Date("2026-01-14T08:00:00Z"))).toBe(true); // 09:00
    expect(isWithinBusinessHours(hours, new Date("2026-01-14T11:30:00Z"))).toBe(false); // 12:30, lunch
    expect(isWithinBusinessHours(hours, new Date("2026-01-14T12:00:00Z"))).toBe(true); // 13:00
    expect(isWithinBusinessHours(hours, new Date("2026-01-14T16:29:00Z"))).toBe(true); // 17:29
    expect(isWithinBusinessHours(hours, new Date("2026-01-14T16:30:00Z"))).toBe(false); // 17:30, end exclusive
    // Saturday.
    expect(isWithinBusinessHours(hours, new Date("2026-01-17T10:00:00Z"))).toBe(false);
  });

  it("uses the local weekday, not the UTC one", () => {
    const tokyo = officeHours({ timezone: "Asia/Tokyo", weekly: [{ day: 1, startMinute: 8 * 60, endMinute: 9 * 60 }] });
    expect(isWithinBusinessHours(tokyo, new Date("2026-01-11T23:30:00Z"))).toBe(true); // Sunday UTC, Monday 08:30 in Tokyo
    expect(isWithinBusinessHours(tokyo, new Date("2026-01-12T23:30:00Z"))).toBe(false); // Tuesday 08:30 in Tokyo
  });

  it("follows daylight saving time on the day the clocks change", () => {
    // Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on Sunday 29 March 2026.
    const sundayMorning = officeHours({ weekly: [{ day: 0, startMinute: 8 * 60, endMinute: 9 * 60 }] });
    // 06:30 UTC is 08:30 in summer time (a fixed +1 offset would wrongly say 07:30, closed).
    expect(isWithinBusinessHours(sundayMorning, new Date("2026-03-29T06:30:00Z"))).toBe(true);
    // 07:30 UTC is 09:30 local: closed (a fixed +1 offset would wrongly say 08:30, open).
    expect(isWithinBusinessHours(sundayMorning, new Date("2026-03-29T07:30:00Z"))).toBe(false);
    // A week earlier, still winter time, the same local hour is an hour later in UTC.
    expect(isWithinBusinessHours(sundayMorning, new Date("2026-03-22T07:30:00Z"))).toBe(true);

    // New York falls back on 1 November 2026 (02:00 EDT → 01:00 EST): 01:30 local happens twice.
    const earlyNewYork = officeHours({ timezone: "America/New_York", weekly: [{ day: 0, startMinute: 60, endMinute: 120 }] });
    expect(isWithinBusinessHours(earlyNewYork, new Date("2026-11-01T05:30:00Z"))).toBe(true); // 01:30 EDT
    expect(isWithinBusinessHours(earlyNewYork, new Date("2026-11-01T06:30:00Z"))).toBe(true); // 01:30 EST
    expect(isWithinBusinessHours(earlyNewYork, new Date("2026-11-01T07:30:00Z"))).toBe(false); // 02:30 EST
  });

  it("is closed all day on a holiday of the inbox's calendar", () => {
    const hours = officeHours({ holidays: ["2026-12-24"] });
    expect(isWithinBusinessHours(hours, new Date("2026-12-24T10:00:00Z"))).toBe(false);
    expect(isWithinBusinessHours(hours, new Date("2026-12-23T10:00:00Z"))).toBe(true);
    // 23:30 UTC on the 23rd is already the 24th in Berlin.
    const lateShift = officeHours({ holidays: ["2026-12-24"], weekly: [{ day: 4, startMinute: 0, endMinute: 60 }] });
    expect(isWithinBusinessHours(lateShift, new Date("2026-12-23T23:30:00Z"))).toBe(false);
    expect(isWithinBusinessHours(officeHours({ weekly: lateShift.weekly }), new Date("2026-12-23T23:30:00Z"))).toBe(true);
  });

  it("covers a whole day with a range ending at midnight", () => {
    const allDay = officeHours({ timezone: "UTC", weekly: [{ day: 3, startMinute: 0, endMinute: 1440 }] });
    expect(isWithinBusinessHours(allDay, new Date("2026-01-14T00:00:00Z"))).toBe(true);
    expect(isWithinBusinessHours(allDay, new Date("2026-01-14T23:59:59Z"))).toBe(true);
    expect(isWithinBusinessHours(allDay, new Date("2026-01-15T00:00:00Z"))).toBe(false);
  });
});
