import {
  type TCreateInvitationRequest,
  type TInvitationStatus,
  type TMemberList,
  type TMemberStatus,
  ZInvitation,
  ZInvitationList,
  ZMember,
  ZMemberList,
} from "@parley/shared";
import { type InfiniteData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";
import { rolesQueryKey, teamsQueryKey } from "../lib/directory-api";

export const membersQueryKey = ["settings", "members"] as const;
export const invitationsQueryKey = ["settings", "invitations"] as const;

export type MemberFilters = { search: string; roleId: string | null; status: TMemberStatus | null };

const memberPath = (userId: string) => `/members/${encodeURIComponent(userId)}`;
const invitationPath = (id: string) => `/invitations/${encodeURIComponent(id)}`;

export const useMembers = (filters: MemberFilters) =>
  useInfiniteQuery<TMemberList, Error, InfiniteData<TMemberList, string | null>, readonly unknown[], string | null>({
    queryKey: [...membersQueryKey, "list", filters],
    queryFn: ({ pageParam, signal }) =>
      apiRequest("/members", ZMemberList, {
        query: {
          search: filters.search.trim() || undefined,
          roleId: filters.roleId ?? undefined,
          status: filters.status ?? undefined,
          cursor: pageParam ?? undefined,
          limit: 25,
        },
        signal,
      }),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });

/** Member changes touch role counts and pickers too, so every settings list of people is refreshed. */
const useInvalidatePeople = () => {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: membersQueryKey }),
      queryClient.invalidateQueries({ queryKey: rolesQueryKey }),
      queryClient.invalidateQueries({ queryKey: teamsQueryKey }),
    ]);
};

export const useChangeMemberRole = () => {
  const invalidate = useInvalidatePeople();
  return useMutation({
    mutationFn: ({ userId, roleId }: { userId: string; roleId: string }) =>
      apiRequest(memberPath(userId), ZMember, { method: "PATCH", body: { roleId } }),
    onSettled: invalidate,
  });
};

export const useSetMemberActive = () => {
  const invalidate = useInvalidatePeople();
  return useMutation({
    mutationFn: ({ userId, isActive }: { userId: string; isActive: boolean }) =>
      apiRequest(`${memberPath(userId)}/${isActive ? "reactivate" : "deactivate"}`, ZMember, { method: "POST" }),
    onSuccess: invalidate,
  });
};

export const useRemoveMember = () => {
  const invalidate = useInvalidatePeople();
  return useMutation({
    mutationFn: (userId: string) => apiSend(memberPath(userId), { method: "DELETE" }),
    onSuccess: invalidate,
  });
};

export const useInvitations = (status: TInvitationStatus | null) =>
  useQuery({
    queryKey: [...invitationsQueryKey, status],
    queryFn: ({ signal }) => apiRequest("/invitations", ZInvitationList, { query: { status: status ?? undefined }, signal }),
  });

export type NewInvitation = Pick<TCreateInvitationRequest, "email" | "roleId" | "teamIds">;

export const useInvite = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewInvitation) => apiRequest("/invitations", ZInvitation, { method: "POST", body: input }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
        queryClient.invalidateQueries({ queryKey: rolesQueryKey }),
      ]),
  });
};

export const useResendInvitation = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest(`${invitationPath(id)}/resend`, ZInvitation, { method: "POST" }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
  });
};

export const useRevokeInvitation = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(invitationPath(id), { method: "DELETE" }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
        queryClient.invalidateQueries({ queryKey: rolesQueryKey }),
      ]),
  });
};
