import { useQuery } from "@tanstack/react-query";
import { currentWorkspaceQueryKey, fetchCurrentWorkspace } from "../api/workspaces-api";

export const useCurrentWorkspace = () =>
  useQuery({ queryKey: currentWorkspaceQueryKey, queryFn: ({ signal }) => fetchCurrentWorkspace(signal) });
