/**
 * Proactive-chat rules as the widget runs them. The server compiles a website inbox's enabled
 * triggers at session time and the widget evaluates them with this same code, so both agree on
 * what fires. Dependency-free on purpose: it ships inside the widget's frame bundle.
 */

export const TRIGGER_CONDITION_TYPES = [
  "time_on_page",
  "time_on_site",
  "page_url",
  "referrer",
  "visit_count",
  "country",
  "city",
  "device_type",
  "language",
  "attribute",
  "business_hours",
  "agents_online",
] as const;
export type TTriggerConditionType = (typeof TRIGGER_CONDITION_TYPES)[number];

export const TRIGGER_OPERATORS = ["eq", "neq", "contains", "matches", "gt", "lt"] as const;
export type TTriggerOperator = (typeof TRIGGER_OPERATORS)[number];

export const TRIGGER_FREQUENCIES = ["once_per_visitor", "once_per_session", "always"] as const;
export type TTriggerFrequency = (typeof TRIGGER_FREQUENCIES)[number];

export type TTriggerValue = string | number | boolean;

export type TTriggerCondition = {
  type: TTriggerConditionType;
  operator: TTriggerOperator;
  value: TTriggerValue;
  /** For "attribute": which custom attribute. */
  attribute?: string | undefined;
};

/** An action as the widget receives it: a greeting carries its sender's resolved name and avatar. */
export type TCompiledTriggerAction =
  | {
      type: "greeting";
      text: string;
      senderType: "agent" | "bot";
      sender: { name: string; avatarUrl: string | null };
    }
  | { type: "open_widget" }
  | { type: "attention_bubble"; text: string };

export type TCompiledTrigger = {
  id: string;
  name: string;
  match: "all" | "any";
  conditions: TTriggerCondition[];
  actions: TCompiledTriggerAction[];
  frequency: TTriggerFrequency;
};

/** Everything a condition can look at: the widget's own facts plus those the server resolved at session time. */
export type TTriggerContext = {
  timeOnPageSeconds: number;
  timeOnSiteSeconds: number;
  pageUrl: string;
  referrer: string;
  visitCount: number;
  country: string | null;
  city: string | null;
  deviceType: string | null;
  language: string | null;
  attributes: Record<string, string | number | boolean | null>;
  isWithinBusinessHours: boolean;
  agentsOnline: number;
};

/**
 * Whether `text` matches a glob where `*` stands for any run of characters; case-insensitive,
 * whole text. A two-pointer walk, not a RegExp, so no pattern can make it backtrack exponentially.
 */
export const matchesGlob = (pattern: string, text: string): boolean => {
  const glob = pattern.toLowerCase();
  const value = text.toLowerCase();
  let g = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (g < glob.length && glob[g] === "*") {
      star = g++;
      resume = v;
    } else if (g < glob.length && glob[g] === value[v]) {
      g++;
      v++;
    } else if (star !== -1) {
      g = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
};

const asNumber = (value: unknown): number | null => {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
};

const asText = (value: unknown): string => (typeof value === "string" ? value : String(value)).toLowerCase();

const isEqual = (actual: string | number | boolean, expected: TTriggerValue): boolean => {
  if (typeof actual === "boolean" || typeof expected === "boolean") {
    const left = typeof actual === "boolean" ? actual : asNumber(actual) !== 0 && asText(actual) !== "false";
    const right = typeof expected === "boolean" ? expected : asNumber(expected) !== 0 && asText(expected) !== "false";
    return left === right;
  }
  const left = asNumber(actual);
  const right = asNumber(expected);
  if (left !== null && right !== null) return left === right;
  return asText(actual) === asText(expected);
};

/** One comparison; an unknown fact (null) satisfies only "neq". */
export const compareTriggerValue = (
  actual: string | number | boolean | null | undefined,
  operator: TTriggerOperator,
  expected: TTriggerValue,
): boolean => {
  if (actual === null || actual === undefined) return operator === "neq";
  switch (operator) {
    case "eq":
      return isEqual(actual, expected);
    case "neq":
      return !isEqual(actual, expected);
    case "contains":
      return asText(actual).includes(asText(expected));
    case "matches":
      return matchesGlob(String(expected), String(actual));
    case "gt":
    case "lt": {
      const left = asNumber(actual);
      const right = asNumber(expected);
      if (left === null || right === null) return false;
      return operator === "gt" ? left > right : left < right;
    }
    default: {
      const exhaustive: never = operator;
      return exhaustive;
    }
  }
};

const factFor = (condition: TTriggerCondition, context: TTriggerContext): string | number | boolean | null => {
  switch (condition.type) {
    case "time_on_page":
      return context.timeOnPageSeconds;
    case "time_on_site":
      return context.timeOnSiteSeconds;
    case "page_url":
      return context.pageUrl;
    case "referrer":
      return context.referrer;
    case "visit_count":
      return context.visitCount;
    case "country":
      return context.country;
    case "city":
      return context.city;
    case "device_type":
      return context.deviceType;
    case "language":
      return context.language;
    case "attribute":
      return condition.attribute ? (context.attributes[condition.attribute] ?? null) : null;
    case "business_hours":
      return context.isWithinBusinessHours;
    case "agents_online":
      // Compared with a boolean it means "anyone online"; with a number, how many.
      return typeof condition.value === "boolean" ? context.agentsOnline > 0 : context.agentsOnline;
    default: {
      const exhaustive: never = condition.type;
      return exhaustive;
    }
  }
};

export const evaluateCondition = (condition: TTriggerCondition, context: TTriggerContext): boolean =>
  compareTriggerValue(factFor(condition, context), condition.operator, condition.value);

/** Whether a trigger's conditions hold now; a trigger without conditions always holds. */
export const evaluateTrigger = (trigger: Pick<TCompiledTrigger, "match" | "conditions">, context: TTriggerContext): boolean => {
  if (trigger.conditions.length === 0) return true;
  return trigger.match === "any"
    ? trigger.conditions.some((condition) => evaluateCondition(condition, context))
    : trigger.conditions.every((condition) => evaluateCondition(condition, context));
};

/** The first trigger (they arrive in position order) whose conditions hold and that has not already fired. */
export const firstTriggerToFire = (
  triggers: readonly TCompiledTrigger[],
  context: TTriggerContext,
  hasFired: (trigger: TCompiledTrigger) => boolean = () => false,
): TCompiledTrigger | null => triggers.find((trigger) => !hasFired(trigger) && evaluateTrigger(trigger, context)) ?? null;
