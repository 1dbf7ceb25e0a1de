import type { CONVERSATION_PRIORITIES, TConversationListFilter, TConversationListQuery } from "@parley/shared";

/** The list's own filters, on top of the view's. */
export type StatusChoice = "active" | "snoozed" | "resolved" | "closed" | "all";
export type ListOptions = {
  status: StatusChoice;
  priority: Array<(typeof CONVERSATION_PRIORITIES)[number]>;
  isUnreadOnly: boolean;
  sort: TConversationListQuery["sort"];
};

export const DEFAULT_LIST_OPTIONS: ListOptions = { status: "active", priority: [], isUnreadOnly: false, sort: "latest" };

export const STATUS_CHOICES: readonly StatusChoice[] = ["active", "snoozed", "resolved", "closed", "all"];

export const optionsFilter = (options: ListOptions): TConversationListFilter => {
  const filter: TConversationListFilter = {};
  // "Active" is what agents work on: open and pending, the same conversations the view counts cover.
  if (options.status === "active") filter.status = ["open", "pending"];
  else if (options.status !== "all") filter.status = [options.status];
  if (options.priority.length > 0) filter.priority = options.priority;
  if (options.isUnreadOnly) filter.unread = true;
  return filter;
};

const ACTIVE_STATUSES = ["open", "pending"] as const;

const statusChoiceOf = (status: TConversationListFilter["status"]): StatusChoice | null => {
  if (status === undefined) return "all";
  const unique = [...new Set(status)];
  if (unique.length === ACTIVE_STATUSES.length && ACTIVE_STATUSES.every((value) => unique.includes(value))) return "active";
  const [only] = unique;
  if (unique.length === 1 && (only === "snoozed" || only === "resolved" || only === "closed")) return only;
  return null;
};

/**
 * A saved view's filter as the list's own controls (status, priority, unread, sort) plus the rest,
 * which the view applies underneath them. What the controls cannot show stays in the rest.
 */
export const splitSavedFilter = (
  filter: TConversationListFilter,
  sort: ListOptions["sort"],
): { options: ListOptions; base: TConversationListFilter } => {
  const { status, priority, unread, ...base } = filter;
  const statusChoice = statusChoiceOf(status);
  const options: ListOptions = {
    status: statusChoice ?? "all",
    priority: priority ?? [],
    isUnreadOnly: unread === true,
    sort,
  };
  return {
    options,
    base: {
      ...base,
      ...(statusChoice === null ? { status } : {}),
      ...(unread === false ? { unread } : {}),
    },
  };
};
