import { type TCreateVisitorBanRequest, ZContactDetail, ZContactList, ZVisitorBan, ZVisitorBanList } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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

/** What to call a banned contact: their name, email or phone, else their id; fetched only for rows on screen. */
export const useContactName = (id: string | null) =>
  useQuery({
    queryKey: ["settings", "contact", id],
    queryFn: ({ signal }) => apiRequest(`/contacts/${encodeURIComponent(id ?? "")}`, ZContactDetail, { signal }),
    enabled: id !== null,
    staleTime: 5 * 60_000,
    select: (contact) => contact.name ?? contact.email ?? contact.phone ?? contact.id,
  });
