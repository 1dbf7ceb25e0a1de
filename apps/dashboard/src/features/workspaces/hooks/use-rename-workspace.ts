import { useMutation, useQueryClient } from "@tanstack/react-query";
import { applyWorkspaceUpdate, updateCurrentWorkspace } from "../api/workspaces-api";

export const useRenameWorkspace = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateCurrentWorkspace,
    onSuccess: (workspace) => applyWorkspaceUpdate(queryClient, workspace),
  });
};
