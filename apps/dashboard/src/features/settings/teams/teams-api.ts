import { type TCreateTeamRequest, type TUpdateTeamRequest, ZTeamDetail } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";
import { teamsQueryKey } from "../lib/directory-api";

const teamPath = (id: string) => `/teams/${encodeURIComponent(id)}`;
export const teamQueryKey = (id: string) => [...teamsQueryKey, id] as const;

export const useTeam = (id: string | null) =>
  useQuery({
    queryKey: teamQueryKey(id ?? ""),
    queryFn: ({ signal }) => apiRequest(teamPath(id ?? ""), ZTeamDetail, { signal }),
    enabled: id !== null,
  });

export type TeamInput = Pick<TCreateTeamRequest, "name" | "description" | "leadUserId" | "memberIds">;

/** Creating sets everything at once; editing patches the team, then replaces its member list. */
export const useSaveTeam = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, input }: { id: string | null; input: TeamInput }) => {
      if (id === null) return apiRequest("/teams", ZTeamDetail, { method: "POST", body: input });
      const changes: TUpdateTeamRequest = { name: input.name, description: input.description, leadUserId: input.leadUserId };
      await apiRequest(teamPath(id), ZTeamDetail, { method: "PATCH", body: changes });
      const userIds =
        input.leadUserId && !input.memberIds.includes(input.leadUserId)
          ? [...input.memberIds, input.leadUserId]
          : input.memberIds;
      return apiRequest(`${teamPath(id)}/members`, ZTeamDetail, { method: "PUT", body: { userIds } });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsQueryKey }),
  });
};

export const useDeleteTeam = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(teamPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsQueryKey }),
  });
};
