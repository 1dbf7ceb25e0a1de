import { type TAuditEntry, type TAuditLogFilter, type TAuditLogPage, ZAuditLogPage } from "@parley/shared";
import { type InfiniteData, type QueryClient, useInfiniteQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";

export const auditLogQueryKey = ["settings", "audit-log"] as const;

type AuditPages = InfiniteData<TAuditLogPage, string | null>;

/** Filters as the query string spells them; empty values are left out. */
export const toAuditQuery = (filter: TAuditLogFilter): Record<string, string | undefined> => ({
  search: filter.search || undefined,
  action: filter.action || undefined,
  actorType: filter.actorType,
  actorId: filter.actorId,
  targetType: filter.targetType || undefined,
  from: filter.from,
  to: filter.to,
});

export const useAuditLog = (filter: TAuditLogFilter) =>
  useInfiniteQuery<TAuditLogPage, Error, AuditPages, readonly unknown[], string | null>({
    queryKey: [...auditLogQueryKey, filter],
    queryFn: ({ pageParam, signal }) =>
      apiRequest("/audit-log", ZAuditLogPage, {
        query: { ...toAuditQuery(filter), cursor: pageParam ?? undefined, limit: 50 },
        signal,
      }),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });

/** The CSV download: streamed by the server with the same filters, so it holds every matching entry. */
export const auditExportUrl = (filter: TAuditLogFilter): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(toAuditQuery(filter))) if (value !== undefined) search.set(key, value);
  return `/api/v1/audit-log/export.csv${search.size > 0 ? `?${search}` : ""}`;
};

const includes = (value: string | null, needle: string) => value?.toLowerCase().includes(needle) ?? false;

/** Whether a live entry belongs in the list filtered this way (the server applies the same rules to the list). */
export const matchesAuditFilter = (entry: TAuditEntry, filter: TAuditLogFilter): boolean => {
  if (filter.actorType && entry.actor.type !== filter.actorType) return false;
  if (filter.actorId && entry.actor.id !== filter.actorId) return false;
  if (filter.targetType && entry.target.type !== filter.targetType) return false;
  if (filter.targetId && entry.target.id !== filter.targetId) return false;
  if (filter.action) {
    const isDomain = filter.action.endsWith(".*");
    const matches = isDomain ? entry.action.startsWith(filter.action.slice(0, -1)) : entry.action === filter.action;
    if (!matches) return false;
  }
  const at = Date.parse(entry.createdAt);
  if (filter.from && at < Date.parse(filter.from)) return false;
  if (filter.to && at >= Date.parse(filter.to)) return false;
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const found =
      includes(entry.action, needle) ||
      includes(entry.actor.label, needle) ||
      includes(entry.target.label, needle) ||
      includes(entry.target.id, needle);
    if (!found) return false;
  }
  return true;
};

/** Puts a live entry on top of the loaded list, once. */
export const prependAuditEntry = (queryClient: QueryClient, filter: TAuditLogFilter, entry: TAuditEntry): void => {
  queryClient.setQueryData<AuditPages>([...auditLogQueryKey, filter], (data) => {
    const [first, ...rest] = data?.pages ?? [];
    if (!data || !first) return data;
    if (data.pages.some((page) => page.items.some((item) => item.id === entry.id))) return data;
    return { ...data, pages: [{ ...first, items: [entry, ...first.items] }, ...rest] };
  });
};
