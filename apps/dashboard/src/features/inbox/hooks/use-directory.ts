import type { TAgentPresence } from "@parley/shared";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { directoryKeys, fetchCannedResponses, fetchInboxes, fetchLabels, fetchPresence, fetchTeams } from "../api/directory-api";

const CATALOGUE_STALE_MS = 5 * 60_000;

export const useInboxes = () =>
  useQuery({ queryKey: directoryKeys.inboxes, queryFn: ({ signal }) => fetchInboxes(signal), staleTime: CATALOGUE_STALE_MS });
export const useTeams = () =>
  useQuery({ queryKey: directoryKeys.teams, queryFn: ({ signal }) => fetchTeams(signal), staleTime: CATALOGUE_STALE_MS });
export const useLabels = () =>
  useQuery({ queryKey: directoryKeys.labels, queryFn: ({ signal }) => fetchLabels(signal), staleTime: CATALOGUE_STALE_MS });
/** Kept fresh by `presence.updated` events. */
export const usePresenceList = () =>
  useQuery({
    queryKey: directoryKeys.presence,
    queryFn: ({ signal }) => fetchPresence(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
export const useCannedResponses = () =>
  useQuery({ queryKey: directoryKeys.canned, queryFn: ({ signal }) => fetchCannedResponses(signal), staleTime: 60_000 });

/** Agents by id (from the presence list, which every member may read). */
export const useAgents = () => {
  const presence = usePresenceList();
  const agents: TAgentPresence[] = useMemo(() => presence.data?.items ?? [], [presence.data]);
  const byId = useMemo(() => new Map(agents.map((agent) => [agent.userId, agent])), [agents]);
  const nameOf = useCallback((userId: string | null) => (userId === null ? null : (byId.get(userId)?.name ?? null)), [byId]);
  const agentOf = useCallback((userId: string | null) => (userId === null ? null : (byId.get(userId) ?? null)), [byId]);
  return { agents, nameOf, agentOf, isPending: presence.isPending };
};
