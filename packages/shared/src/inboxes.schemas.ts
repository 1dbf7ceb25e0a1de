import { z } from "zod";
import { INBOX_TYPES } from "./conversations.schemas.ts";
import { ZTeamSummary, ZUserSummary } from "./members.schemas.ts";
import { ZTimeZone } from "./settings.schemas.ts";
import { zPlainText } from "./text.schemas.ts";

export const AUTO_ASSIGNMENT_STRATEGIES = ["none", "round_robin", "least_busy", "team", "skills"] as const;

const MINUTES_PER_DAY = 24 * 60;

/** Optional longer text shown to visitors: may be empty, never NUL. */
const zVisitorText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `Use at most ${max} characters.` })
    .refine((value) => !value.includes("\u0000"), { message: "Remove the NUL character from this text." });

const zIdList = (max: number) =>
  z
    .array(z.uuid({ message: "must be an id" }))
    .max(max, { message: `Send at most ${max} ids.` })
    .transform((ids) => [...new Set(ids)]);

export const ZAutoAssignment = z
  .strictObject({
    strategy: z.enum(AUTO_ASSIGNMENT_STRATEGIES),
    /** For "team": the team whose members take conversations. */
    teamId: z.uuid({ message: "must be a team id" }).nullable().optional(),
    /** For "skills": conversation label → members who handle it. */
    skills: z
      .record(z.string().trim().min(1).max(50), z.array(z.uuid({ message: "must be a user id" })).max(200))
      .refine((skills) => Object.keys(skills).length <= 100, { message: "Use at most 100 skills." })
      .optional(),
  })
  .refine((value) => value.strategy !== "team" || Boolean(value.teamId), {
    message: 'Choose the team that takes conversations with the "team" strategy.',
    path: ["teamId"],
  });
export type TAutoAssignment = z.infer<typeof ZAutoAssignment>;

const ZWeeklyRange = z
  .strictObject({
    /** 0 = Sunday … 6 = Saturday. */
    day: z.number().int().min(0).max(6),
    /** Minutes from midnight, local to the inbox's time zone; end exclusive. */
    startMinute: z
      .number()
      .int()
      .min(0)
      .max(MINUTES_PER_DAY - 1),
    endMinute: z.number().int().min(1).max(MINUTES_PER_DAY),
  })
  .refine((range) => range.endMinute > range.startMinute, {
    message: "A range must end after it starts.",
    path: ["endMinute"],
  });

const ZHoliday = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Use a date as YYYY-MM-DD." })
  .refine(
    (value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    {
      message: "This is not a calendar date.",
    },
  );

export const ZBusinessHours = z.strictObject({
  isEnabled: z.boolean(),
  timezone: ZTimeZone,
  weekly: z
    .array(ZWeeklyRange)
    .max(70, { message: "Use at most 70 ranges." })
    .superRefine((ranges, context) => {
      const sorted = ranges
        .map((range, index) => ({ ...range, index }))
        .sort((a, b) => a.day - b.day || a.startMinute - b.startMinute);
      for (let i = 1; i < sorted.length; i++) {
        const previous = sorted[i - 1];
        const current = sorted[i];
        if (previous && current && previous.day === current.day && current.startMinute < previous.endMinute) {
          context.addIssue({
            code: "custom",
            message: "This range overlaps another range of the same day.",
            path: [current.index],
          });
        }
      }
    }),
  /** Dates in the inbox's time zone when it is closed all day. */
  holidays: z
    .array(ZHoliday)
    .max(400, { message: "Use at most 400 holidays." })
    .transform((days) => [...new Set(days)].sort()),
});
export type TBusinessHours = z.infer<typeof ZBusinessHours>;

/** Non-secret channel settings (page id, phone number id, widget look …); credentials are stored apart. */
export const ZChannelConfig = z
  .record(z.string(), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, { message: "Keep the channel settings under 16 kB." });

const inboxSettings = {
  greetingEnabled: z.boolean(),
  greetingMessage: zVisitorText(2000),
  awayMessage: zVisitorText(2000),
  isCsatEnabled: z.boolean(),
  autoAssignment: ZAutoAssignment,
  /** Open conversations one agent takes from this inbox at most; null = no limit. */
  maxConcurrentPerAgent: z.number().int().min(1).max(1000).nullable(),
  businessHours: ZBusinessHours.nullable(),
  /** Inactive conversations close after this many minutes; null = never. */
  autoCloseMinutes: z.number().int().min(5, { message: "Use at least 5 minutes, or null for never." }).max(525_600).nullable(),
  channelConfig: ZChannelConfig,
};

export const ZInbox = z.object({
  id: z.uuid(),
  type: z.enum(INBOX_TYPES),
  name: z.string(),
  /** The public token a website widget embeds; null for other channels. */
  websiteToken: z.string().nullable(),
  /** Whether an identity-verification secret is set; the secret itself is shown only when rotated. */
  hasSecret: z.boolean(),
  channelConfig: z.record(z.string(), z.unknown()),
  greetingEnabled: z.boolean(),
  greetingMessage: z.string(),
  awayMessage: z.string(),
  isCsatEnabled: z.boolean(),
  autoAssignment: z.object({
    strategy: z.enum(AUTO_ASSIGNMENT_STRATEGIES),
    teamId: z.uuid().nullable().optional(),
    skills: z.record(z.string(), z.array(z.uuid())).optional(),
  }),
  maxConcurrentPerAgent: z.number().int().nullable(),
  businessHours: z
    .object({
      isEnabled: z.boolean(),
      timezone: z.string(),
      weekly: z.array(z.object({ day: z.number().int(), startMinute: z.number().int(), endMinute: z.number().int() })),
      holidays: z.array(z.string()),
    })
    .nullable(),
  autoCloseMinutes: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TInbox = z.infer<typeof ZInbox>;

export const ZInboxDetail = ZInbox.extend({ members: z.array(ZUserSummary), teams: z.array(ZTeamSummary) });
export type TInboxDetail = z.infer<typeof ZInboxDetail>;

export const ZInboxList = z.object({ items: z.array(ZInbox) });

export const ZInboxParams = z.strictObject({ id: z.uuid({ message: "must be an inbox id" }) });

export const ZCreateInboxRequest = z.strictObject({
  type: z.enum(INBOX_TYPES),
  name: zPlainText({ max: 80, emptyMessage: "Name the inbox." }),
  greetingEnabled: inboxSettings.greetingEnabled.default(false),
  greetingMessage: inboxSettings.greetingMessage.default(""),
  awayMessage: inboxSettings.awayMessage.default(""),
  isCsatEnabled: inboxSettings.isCsatEnabled.default(false),
  autoAssignment: inboxSettings.autoAssignment.default({ strategy: "none" }),
  maxConcurrentPerAgent: inboxSettings.maxConcurrentPerAgent.default(null),
  businessHours: inboxSettings.businessHours.default(null),
  autoCloseMinutes: inboxSettings.autoCloseMinutes.default(null),
  channelConfig: inboxSettings.channelConfig.default({}),
});
export type TCreateInboxRequest = z.infer<typeof ZCreateInboxRequest>;

/** The channel type is fixed once created; everything else may change. */
export const ZUpdateInboxRequest = z.strictObject({
  name: zPlainText({ max: 80, emptyMessage: "Name the inbox." }).optional(),
  greetingEnabled: inboxSettings.greetingEnabled.optional(),
  greetingMessage: inboxSettings.greetingMessage.optional(),
  awayMessage: inboxSettings.awayMessage.optional(),
  isCsatEnabled: inboxSettings.isCsatEnabled.optional(),
  autoAssignment: inboxSettings.autoAssignment.optional(),
  maxConcurrentPerAgent: inboxSettings.maxConcurrentPerAgent.optional(),
  businessHours: inboxSettings.businessHours.optional(),
  autoCloseMinutes: inboxSettings.autoCloseMinutes.optional(),
  channelConfig: inboxSettings.channelConfig.optional(),
});
export type TUpdateInboxRequest = z.infer<typeof ZUpdateInboxRequest>;

/** The inbox's full member list. */
export const ZSetInboxMembersRequest = z.strictObject({ userIds: zIdList(1000) });
export type TSetInboxMembersRequest = z.infer<typeof ZSetInboxMembersRequest>;

export const ZInboxMemberList = z.object({ items: z.array(ZUserSummary) });

/** The teams that work the inbox. */
export const ZSetInboxTeamsRequest = z.strictObject({ teamIds: zIdList(200) });
export type TSetInboxTeamsRequest = z.infer<typeof ZSetInboxTeamsRequest>;

export const ZInboxTeamList = z.object({ items: z.array(ZTeamSummary) });

/** The new identity-verification secret, shown once. */
export const ZInboxSecret = z.object({ secret: z.string() });
