import { type TCreateRoleRequest, ZPermissionMatrix, ZRole } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";
import { rolesQueryKey } from "../lib/directory-api";

export const permissionMatrixQueryKey = [...rolesQueryKey, "matrix"] as const;

const rolePath = (id: string) => `/roles/${encodeURIComponent(id)}`;

export const usePermissionMatrix = () =>
  useQuery({
    queryKey: permissionMatrixQueryKey,
    queryFn: ({ signal }) => apiRequest("/roles/permissions", ZPermissionMatrix, { signal }),
  });

export type RoleInput = Pick<TCreateRoleRequest, "name" | "description" | "permissions">;

export const useSaveRole = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: RoleInput }) =>
      id === null
        ? apiRequest("/roles", ZRole, { method: "POST", body: input })
        : apiRequest(rolePath(id), ZRole, { method: "PATCH", body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: rolesQueryKey }),
  });
};

export const useDeleteRole = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend(rolePath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: rolesQueryKey }),
  });
};
