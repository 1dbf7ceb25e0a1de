import { type TCreateVisitorBanRequest, ZContactDetail, ZContactList, ZVisitorBan, ZVisitorBanList } from "@parley/shared";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const visitorBansQueryKey = ["settings", "visitor-bans"] as const;

export const useVisitorBans = () =>
  useQuery({ queryKey: visitorBansQueryKey, queryFn: ({ signal }) => apiRequest("/visitor-bans", ZVisitorBanList, { signal }) });

export const useCreateVisitorBan = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Partial<TCreateVisitorBanRequest>) =>
      apiRequest("/visitor-bans", ZVisitorBan, { method: "POST", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: visitorBansQueryKey }),
  });
};

export const useLiftVisitorBan = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(`/visitor-bans/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: visitorBansQueryKey }),
  });
};

/** Contacts matching what was typed, for choosing whom to ban. */
export const useContactSearch = (search: string) =>
  useQuery({
    queryKey: ["settings", "contact-search", search],
    queryFn: ({ signal }) => apiRequest("/contacts", ZContactList, { query: { search, limit: 20 }, signal }),
    enabled: search.trim().length > 0,
    placeholderData: (previous) => previous,
  });

/** Names for the banned contacts shown on the current page. */
export const useContactNames = (ids: readonly string[]) =>
  useQueries({
    queries: ids.map((id) => ({
      queryKey: ["settings", "contact", id],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiRequest(`/contacts/${encodeURIComponent(id)}`, ZContactDetail, { signal }),
      staleTime: 5 * 60_000,
    })),
    combine: (results) => {
      const names = new Map<string, string>();
      results.forEach((result, index) => {
        const id = ids[index];
        if (id && result.data) names.set(id, result.data.name ?? result.data.email ?? result.data.phone ?? id);
      });
      return names;
    },
  });
