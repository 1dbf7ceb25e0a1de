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
