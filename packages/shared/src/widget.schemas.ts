import { z } from "zod";
import { ZEmail } from "./auth.schemas.ts";
import { TRIGGER_CONDITION_TYPES, TRIGGER_FREQUENCIES, TRIGGER_OPERATORS } from "./proactive-triggers.ts";
import { zPlainText } from "./text.schemas.ts";

const zNoNul = (value: string) => !value.includes("\u0000");

/** Optional text shown to visitors: may be empty, never NUL. */
const zVisitorText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `Use at most ${max} characters.` })
    .refine(zNoNul, { message: "Remove the NUL character from this text." });

const ZImageUrl = z
  .url({ protocol: /^https?$/, message: "Use an http(s):// address." })
  .max(2048, { message: "Use an address of at most 2048 characters." });

// ——— Widget settings (the website inbox's channel_config.widget) ———

export const WIDGET_FIELD_TYPES = ["text", "email", "tel", "textarea", "select", "checkbox"] as const;
export const WIDGET_LAUNCHER_ICONS = ["chat", "help", "message", "headset"] as const;
export const WIDGET_SIZES = ["compact", "standard", "large"] as const;
export const WIDGET_COLOR_SCHEMES = ["light", "dark", "auto"] as const;
/** Form keys that fill the contact itself; other keys become custom attributes. `department` is a team id. */
export const WIDGET_CONTACT_FIELD_KEYS = ["name", "email", "phone", "department"] as const;

export const ZWidgetFormField = z
  .strictObject({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, { message: "Use a key of lowercase letters, digits and _, starting with a letter." }),
    label: zPlainText({ max: 100, emptyMessage: "Label the field." }),
    type: z.enum(WIDGET_FIELD_TYPES),
    required: z.boolean().default(false),
    /** For "select": the choices (for `department`, team ids). */
    options: z
      .array(zPlainText({ max: 100 }))
      .max(50, { message: "Use at most 50 options." })
      .optional(),
    /** What visitors see for each option (the department field's team names); the server fills it for widgets. */
    optionLabels: z.record(z.string(), z.string().max(200)).optional(),
  })
  .refine((field) => field.type !== "select" || (field.options?.length ?? 0) > 0, {
    message: "A select field needs at least one option.",
    path: ["options"],
  });
export type TWidgetFormField = z.infer<typeof ZWidgetFormField>;

const ZWidgetForm = z.strictObject({
  isEnabled: z.boolean(),
  fields: z
    .array(ZWidgetFormField)
    .max(20, { message: "Use at most 20 fields." })
    .refine((fields) => new Set(fields.map((field) => field.key)).size === fields.length, {
      message: "Each field needs its own key.",
    }),
});
export type TWidgetForm = z.infer<typeof ZWidgetForm>;

const widgetSettingsShape = {
  primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'Use a colour such as "#1f6feb".' }),
  colorScheme: z.enum(WIDGET_COLOR_SCHEMES),
  position: z.enum(["left", "right"]),
  offsetX: z.number().int().min(0).max(200),
  offsetY: z.number().int().min(0).max(200),
  launcherIcon: z.enum(WIDGET_LAUNCHER_ICONS),
  size: z.enum(WIDGET_SIZES),
  title: zVisitorText(80),
  /** The greeting under the title on the welcome screen. */
  subtitle: zVisitorText(300),
  avatarUrl: ZImageUrl.nullable(),
  logoUrl: ZImageUrl.nullable(),
  /** "auto": the visitor's browser language. */
  locale: z.union([
    z.literal("auto"),
    z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, { message: 'Use "auto" or a language code such as "ar" or "pt-BR".' }),
  ]),
  hideOnMobile: z.boolean(),
  /** Pages where the widget stays hidden; `*` matches anything. */
  hiddenUrlPatterns: z.array(zPlainText({ max: 500 })).max(50, { message: "Use at most 50 patterns." }),
  attentionBubble: z
    .strictObject({
      text: zPlainText({ max: 200, emptyMessage: "Write the bubble's text." }),
      delaySeconds: z.number().int().min(0).max(3600),
    })
    .nullable(),
  /** "Powered by Parley"; hiding it needs the workspace's branding setting. */
  showBranding: z.boolean(),
  preChatForm: ZWidgetForm,
  offlineForm: ZWidgetForm,
  /** Refuses `visitor.identify` without a valid identity hash. */
  requireIdentityVerification: z.boolean(),
};

export const ZWidgetSettings = z.object(widgetSettingsShape);
export type TWidgetSettings = z.infer<typeof ZWidgetSettings>;

/** Fields sent replace the stored ones; nested objects (forms, bubble) are replaced as a whole. */
export const ZUpdateWidgetSettingsRequest = z.strictObject(widgetSettingsShape).partial();
export type TUpdateWidgetSettingsRequest = z.infer<typeof ZUpdateWidgetSettingsRequest>;

export const ZWidgetSettingsResponse = z.object({ settings: ZWidgetSettings });
export const ZInboxIdParams = z.strictObject({ inboxId: z.uuid({ message: "must be an inbox id" }) });

/** Whether the workspace may hide "Powered by Parley" on its widgets. */
export const ZWidgetBranding = z.object({ canRemoveBranding: z.boolean() });
export const ZUpdateWidgetBrandingRequest = z.strictObject({ canRemoveBranding: z.boolean() });

// ——— Widget session additions ———

export const ZWidgetSessionPage = z.strictObject({
  url: z.string().max(2048),
  title: z.string().max(500).default(""),
  referrer: z.string().max(2048).default(""),
});

export const ZWidgetSessionClient = z.strictObject({
  screen: z
    .string()
    .regex(/^\d{1,5}x\d{1,5}$/, { message: 'Use "<width>x<height>", e.g. "1920x1080".' })
    .optional(),
  timezone: z.string().max(64).optional(),
  language: z.string().max(35).optional(),
  userAgent: z.string().max(1000).optional(),
});

export const ZWidgetAvailability = z.object({
  isOnline: z.boolean(),
  withinBusinessHours: z.boolean(),
  /** Median seconds to the first agent reply over the inbox's last 100 conversations; null without any. */
  typicalReplySeconds: z.number().nullable(),
  agents: z.array(z.object({ name: z.string(), avatarUrl: z.string().nullable() })),
});
export type TWidgetAvailability = z.infer<typeof ZWidgetAvailability>;

export const ZWidgetContact = z.object({ name: z.string().nullable(), email: z.string().nullable(), isVerified: z.boolean() });
export type TWidgetContact = z.infer<typeof ZWidgetContact>;

const ZTriggerValue = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

export const ZTriggerCondition = z
  .strictObject({
    type: z.enum(TRIGGER_CONDITION_TYPES),
    operator: z.enum(TRIGGER_OPERATORS),
    value: ZTriggerValue,
    attribute: z.string().trim().min(1).max(100).optional(),
  })
  .refine((condition) => condition.type !== "attribute" || Boolean(condition.attribute), {
    message: "Name the attribute this condition looks at.",
    path: ["attribute"],
  })
  .refine(
    (condition) =>
      !["gt", "lt"].includes(condition.operator) ||
      (typeof condition.value === "number" &&
        ["time_on_page", "time_on_site", "visit_count", "agents_online", "attribute"].includes(condition.type)),
    { message: '"gt" and "lt" compare numbers: use them with a number and a counting condition.', path: ["operator"] },
  );

export const ZCompiledTriggerAction = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("greeting"),
    text: z.string(),
    senderType: z.enum(["agent", "bot"]),
    sender: z.object({ name: z.string(), avatarUrl: z.string().nullable() }),
  }),
  z.object({ type: z.literal("open_widget") }),
  z.object({ type: z.literal("attention_bubble"), text: z.string() }),
]);

export const ZCompiledTrigger = z.object({
  id: z.uuid(),
  name: z.string(),
  match: z.enum(["all", "any"]),
  conditions: z.array(
    z.object({
      type: z.enum(TRIGGER_CONDITION_TYPES),
      operator: z.enum(TRIGGER_OPERATORS),
      value: z.union([z.string(), z.number(), z.boolean()]),
      attribute: z.string().optional(),
    }),
  ),
  actions: z.array(ZCompiledTriggerAction),
  frequency: z.enum(TRIGGER_FREQUENCIES),
});

/** Facts only the server knows, resolved at session time; the widget adds its own (time on page, URL …). */
export const ZWidgetVisitorFacts = z.object({
  visitId: z.uuid(),
  visitCount: z.number().int(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  deviceType: z.string().nullable(),
  isWithinBusinessHours: z.boolean(),
  agentsOnline: z.number().int(),
});

// ——— /widget socket events ———

const ZAttributeValue = z.union([z.string().max(1000).refine(zNoNul), z.number().finite(), z.boolean(), z.null()], {
  message: "Attribute values are text, numbers, true/false or null.",
});

export const ZVisitorAttributeMap = z
  .record(z.string().trim().min(1).max(100).refine(zNoNul), ZAttributeValue)
  .refine((value) => Object.keys(value).length <= 50, { message: "Send at most 50 attributes." });

export const ZVisitorIdentify = z.strictObject({
  /** The site's own user id. */
  id: z.string().trim().min(1).max(200).refine(zNoNul),
  email: ZEmail.optional(),
  name: zPlainText({ max: 200 }).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,20}$/, { message: 'Use a phone number such as "+44 20 7946 0958".' })
    .optional(),
  avatarUrl: ZImageUrl.optional(),
  /** Hex HMAC-SHA256 of `id` with the inbox's identity-verification secret. */
  hash: z.string().trim().max(128).optional(),
  attributes: ZVisitorAttributeMap.optional(),
});
export type TVisitorIdentify = z.infer<typeof ZVisitorIdentify>;

export const ZVisitorIdentifyResult = z.object({ contact: ZWidgetContact });

export const ZVisitorAttributes = z.strictObject({ attributes: ZVisitorAttributeMap });

export const ZVisitorTrack = z.strictObject({
  event: zPlainText({ max: 100, emptyMessage: "Name the event." }),
  data: z
    .record(z.string().max(100), z.unknown())
    .refine((value) => JSON.stringify(value).length <= 2_000, { message: "Keep event data under 2 kB." })
    .optional(),
});

export const ZVisitorPage = z.strictObject({
  url: z.string().min(1).max(2048),
  title: z.string().max(500).default(""),
  referrer: z.string().max(2048).optional(),
});

export const ZVisitorProfile = z.strictObject({
  fields: z
    .record(z.string().max(40), z.union([z.string().max(2000).refine(zNoNul), z.boolean()]))
    .refine((value) => Object.keys(value).length <= 20, { message: "Send at most 20 fields." }),
});

export const ZOfflineSubmit = z.strictObject({
  /** The sender's id for this submission: sending twice stores the message once. */
  clientId: z.string().min(1).max(100).optional(),
  fields: ZVisitorProfile.shape.fields,
  message: zPlainText({ max: 10_000, emptyMessage: "Write a message." }),
});

export const ZTriggerFired = z.strictObject({ triggerId: z.uuid() });
export const ZTriggerFiredResult = z.object({ firingId: z.uuid(), actions: z.array(ZCompiledTriggerAction) });

export const ZVisitorConversationsList = z.strictObject({});
export const ZVisitorConversationSummary = z.object({
  id: z.uuid(),
  status: z.string(),
  lastMessage: z.object({ text: z.string(), senderType: z.string(), createdAt: z.iso.datetime() }).nullable(),
  lastActivityAt: z.iso.datetime(),
});

// ——— Proactive triggers (admin API) ———

export const ZTriggerAction = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("greeting"),
    text: zPlainText({ max: 1000, emptyMessage: "Write the greeting." }),
    senderType: z.enum(["agent", "bot"]),
    agentId: z.uuid({ message: "must be a member's user id" }).optional(),
    botName: zPlainText({ max: 80 }).optional(),
  }),
  z.strictObject({ type: z.literal("open_widget") }),
  z.strictObject({
    type: z.literal("attention_bubble"),
    text: zPlainText({ max: 200, emptyMessage: "Write the bubble's text." }),
  }),
]);
export type TTriggerAction = z.infer<typeof ZTriggerAction>;

const triggerShape = {
  name: zPlainText({ max: 100, emptyMessage: "Name the trigger." }),
  /** Null: every website inbox of the workspace. */
  inboxId: z.uuid({ message: "must be an inbox id" }).nullable(),
  isEnabled: z.boolean(),
  match: z.enum(["all", "any"]),
  conditions: z.array(ZTriggerCondition).max(20, { message: "Use at most 20 conditions." }),
  actions: z.array(ZTriggerAction).min(1, { message: "Give the trigger at least one action." }).max(5),
  frequency: z.enum(TRIGGER_FREQUENCIES),
};

export const ZCreateProactiveTriggerRequest = z.strictObject({
  ...triggerShape,
  inboxId: triggerShape.inboxId.default(null),
  isEnabled: triggerShape.isEnabled.default(true),
  match: triggerShape.match.default("all"),
  conditions: triggerShape.conditions.default([]),
  frequency: triggerShape.frequency.default("once_per_visitor"),
});
export type TCreateProactiveTriggerRequest = z.infer<typeof ZCreateProactiveTriggerRequest>;

export const ZUpdateProactiveTriggerRequest = z.strictObject(triggerShape).partial();
export type TUpdateProactiveTriggerRequest = z.infer<typeof ZUpdateProactiveTriggerRequest>;

export const ZProactiveTrigger = z.object({
  id: z.uuid(),
  name: z.string(),
  inboxId: z.uuid().nullable(),
  isEnabled: z.boolean(),
  match: z.enum(["all", "any"]),
  conditions: z.array(z.record(z.string(), z.unknown())),
  actions: z.array(z.record(z.string(), z.unknown())),
  frequency: z.enum(TRIGGER_FREQUENCIES),
  position: z.number().int(),
  /** How often it fired and how often the visitor answered, for reports. */
  stats: z.object({ fired: z.number().int(), engaged: z.number().int() }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TProactiveTrigger = z.infer<typeof ZProactiveTrigger>;

export const ZProactiveTriggerList = z.object({ items: z.array(ZProactiveTrigger) });
export const ZProactiveTriggerParams = z.strictObject({ id: z.uuid({ message: "must be a trigger id" }) });
/** Every trigger id of the workspace in the new order. */
export const ZReorderProactiveTriggersRequest = z.strictObject({
  ids: z
    .array(z.uuid())
    .max(500)
    .refine((ids) => new Set(ids).size === ids.length, { message: "List each trigger once." }),
});

// ——— Visitors, visits and bans (agents) ———

export const ZVisitedPage = z.object({
  url: z.string(),
  title: z.string(),
  enteredAt: z.iso.datetime(),
  leftAt: z.iso.datetime().nullable(),
  /** Seconds on the page; for the current page, so far. */
  seconds: z.number().int(),
});

export const ZVisitorVisit = z.object({
  id: z.uuid(),
  inboxId: z.uuid(),
  contactId: z.uuid(),
  visitNumber: z.number().int(),
  ip: z.string().nullable(),
  location: z.object({
    country: z.string().nullable(),
    region: z.string().nullable(),
    city: z.string().nullable(),
    timezone: z.string().nullable(),
  }),
  device: z.object({
    browser: z.string().nullable(),
    browserVersion: z.string().nullable(),
    os: z.string().nullable(),
    deviceType: z.string().nullable(),
    screen: z.string().nullable(),
  }),
  timezone: z.string().nullable(),
  language: z.string().nullable(),
  referrer: z.string().nullable(),
  landingUrl: z.string().nullable(),
  utm: z.record(z.string(), z.string()),
  currentPage: z.object({ url: z.string().nullable(), title: z.string().nullable() }),
  pages: z.array(ZVisitedPage),
  events: z.array(z.object({ event: z.string(), data: z.unknown(), at: z.iso.datetime() })),
  timeOnSiteSeconds: z.number().int(),
  startedAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
});
export type TVisitorVisit = z.infer<typeof ZVisitorVisit>;

export const ZVisitorVisitList = z.object({ items: z.array(ZVisitorVisit), nextCursor: z.string().nullable() });
export const ZVisitorVisitsQuery = z.strictObject({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const ZOnlineVisitor = z.object({
  visitorId: z.string(),
  inboxId: z.uuid(),
  contact: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string().nullable(), isVerified: z.boolean() }),
  visit: ZVisitorVisit.nullable(),
});

export const ZVisitorsOnline = z.object({
  items: z.array(z.object({ inboxId: z.uuid(), name: z.string(), visitors: z.number().int() })),
  total: z.number().int(),
  /** Who is on the site now, for the visitors monitor. */
  visitors: z.array(ZOnlineVisitor),
});

export const ZVisitorContactParams = z.strictObject({ contactId: z.uuid({ message: "must be a contact id" }) });
export const ZStartVisitorChatRequest = z.strictObject({
  message: zPlainText({ max: 10_000, emptyMessage: "Write the first message." }),
  /** The website inbox; needed only when the visitor is on several. */
  inboxId: z.uuid().optional(),
});

export const ZVisitorBan = z.object({
  id: z.uuid(),
  contactId: z.uuid().nullable(),
  ipRange: z.string().nullable(),
  reason: z.string(),
  createdByUserId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
});
export type TVisitorBan = z.infer<typeof ZVisitorBan>;

export const ZCreateVisitorBanRequest = z
  .strictObject({
    contactId: z.uuid({ message: "must be a contact id" }).optional(),
    /** An address or a CIDR range, IPv4 or IPv6. */
    ipRange: z.string().trim().min(2).max(64).optional(),
    reason: zVisitorText(500).default(""),
    expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
  })
  .refine((ban) => Boolean(ban.contactId) !== Boolean(ban.ipRange), {
    message: "Ban either a contact or an IP range.",
    path: ["contactId"],
  });
export type TCreateVisitorBanRequest = z.infer<typeof ZCreateVisitorBanRequest>;

export const ZVisitorBanList = z.object({ items: z.array(ZVisitorBan) });
export const ZVisitorBanParams = z.strictObject({ id: z.uuid({ message: "must be a ban id" }) });

// ——— Contact notes ———

export const ZContactNote = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  body: z.string(),
  author: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TContactNote = z.infer<typeof ZContactNote>;

export const ZContactNoteList = z.object({ items: z.array(ZContactNote), nextCursor: z.string().nullable() });
export const ZContactNotesQuery = z.strictObject({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const ZContactNoteParams = z.strictObject({
  contactId: z.uuid({ message: "must be a contact id" }),
  noteId: z.uuid({ message: "must be a note id" }),
});
export const ZContactNoteBody = z.strictObject({ body: zPlainText({ max: 10_000, emptyMessage: "Write the note." }) });

export { DEFAULT_WIDGET_SETTINGS } from "./widget-defaults.ts";
