import { type TMeResponse, type TUpdateWorkspaceRequest, type TWorkspace, ZWorkspace } from "@parley/shared";
import type { QueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";
import { meQueryKey } from "../../auth/api/auth-api";

export const currentWorkspaceQueryKey = ["workspaces", "current"] as const;

export const fetchCurrentWorkspace = (signal?: AbortSignal) => apiRequest("/workspaces/current", ZWorkspace, { signal });

export const updateCurrentWorkspace = (changes: TUpdateWorkspaceRequest) =>
  apiRequest("/workspaces/current", ZWorkspace, { method: "PATCH", body: changes });

/** Writes a changed workspace into every cached answer that shows it (used by the rename form and the socket). */
export const applyWorkspaceUpdate = (queryClient: QueryClient, workspace: TWorkspace): void => {
  queryClient.setQueryData<TMeResponse | null>(meQueryKey, (me) => {
    if (!me) return me;
    return {
      ...me,
      workspace: me.workspace.id === workspace.id ? workspace : me.workspace,
      memberships: me.memberships.map((membership) =>
        membership.workspace.id === workspace.id ? { ...membership, workspace } : membership,
      ),
    };
  });
  queryClient.setQueryData<TWorkspace>(currentWorkspaceQueryKey, (current) =>
    current && current.id !== workspace.id ? current : workspace,
  );
};
