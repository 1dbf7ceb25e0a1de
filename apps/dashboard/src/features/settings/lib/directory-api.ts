import { type TMember, ZMemberList, ZRoleList, ZTeamList } from "@parley/shared";
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";

export const rolesQueryKey = ["settings", "roles"] as const;
export const teamsQueryKey = ["settings", "teams"] as const;
export const activeMembersQueryKey = ["settings", "members", "active-all"] as const;

const MAX_PICKER_MEMBERS = 1000;

/** Every active member, for pickers (team and inbox members): pages through the member list. */
const fetchActiveMembers = async (signal?: AbortSignal): Promise<TMember[]> => {
  const members: TMember[] = [];
  let cursor: string | undefined;
  do {
    const page = await apiRequest("/members", ZMemberList, { query: { status: "active", limit: 100, cursor }, signal });
    members.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && members.length < MAX_PICKER_MEMBERS);
  return members;
};

export const useActiveMembers = (enabled = true) =>
  useQuery({ queryKey: activeMembersQueryKey, queryFn: ({ signal }) => fetchActiveMembers(signal), enabled });

export const useRoles = (enabled = true) =>
  useQuery({ queryKey: rolesQueryKey, queryFn: ({ signal }) => apiRequest("/roles", ZRoleList, { signal }), enabled });

export const useTeams = (enabled = true) =>
  useQuery({ queryKey: teamsQueryKey, queryFn: ({ signal }) => apiRequest("/teams", ZTeamList, { signal }), enabled });
