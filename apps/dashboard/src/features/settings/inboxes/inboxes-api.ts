import {
  type TCreateInboxRequest,
  type TInbox,
  type TInboxDetail,
  type TUpdateInboxRequest,
  ZInbox,
  ZInboxDetail,
  ZInboxList,
  ZInboxMemberList,
  ZInboxTeamList,
} from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const inboxesQueryKey = ["settings", "inboxes"] as const;
export const inboxQueryKey = (id: string) => ["settings", "inboxes", id] as const;

const inboxPath = (id: string) => `/inboxes/${encodeURIComponent(id)}`;

export const useInboxes = () =>
  useQuery({ queryKey: inboxesQueryKey, queryFn: ({ signal }) => apiRequest("/inboxes", ZInboxList, { signal }) });

export const useInbox = (id: string) =>
  useQuery({ queryKey: inboxQueryKey(id), queryFn: ({ signal }) => apiRequest(inboxPath(id), ZInboxDetail, { signal }) });

/** The server fills every other setting with its default. */
export type NewInbox = Pick<TCreateInboxRequest, "type" | "name">;

export const useCreateInbox = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewInbox) => apiRequest("/inboxes", ZInbox, { method: "POST", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inboxesQueryKey }),
  });
};

/** Keeps the detail's members and teams, which a PATCH answer does not carry. */
const mergeInbox = (queryClient: ReturnType<typeof useQueryClient>, inbox: TInbox) => {
  queryClient.setQueryData<TInboxDetail>(inboxQueryKey(inbox.id), (detail) => (detail ? { ...detail, ...inbox } : detail));
  void queryClient.invalidateQueries({ queryKey: inboxesQueryKey, exact: true });
};

export const useUpdateInbox = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: TUpdateInboxRequest) => apiRequest(inboxPath(id), ZInbox, { method: "PATCH", body: changes }),
    onSuccess: (inbox) => mergeInbox(queryClient, inbox),
  });
};

export const useDeleteInbox = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend(inboxPath(id), { method: "DELETE" }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: inboxQueryKey(id) });
      return queryClient.invalidateQueries({ queryKey: inboxesQueryKey, exact: true });
    },
  });
};

export const useSetInboxMembers = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userIds: string[]) =>
      apiRequest(`${inboxPath(id)}/members`, ZInboxMemberList, { method: "PUT", body: { userIds } }),
    onSuccess: (list) =>
      queryClient.setQueryData<TInboxDetail>(inboxQueryKey(id), (detail) =>
        detail ? { ...detail, members: list.items } : detail,
      ),
  });
};

export const useSetInboxTeams = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (teamIds: string[]) => apiRequest(`${inboxPath(id)}/teams`, ZInboxTeamList, { method: "PUT", body: { teamIds } }),
    onSuccess: (list) =>
      queryClient.setQueryData<TInboxDetail>(inboxQueryKey(id), (detail) => (detail ? { ...detail, teams: list.items } : detail)),
  });
};
