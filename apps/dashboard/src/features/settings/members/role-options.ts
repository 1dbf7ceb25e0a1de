import type { TRole } from "@parley/shared";
import { useRoleLabel } from "../../auth/hooks/use-permissions";

/** Roles as select options, built-in ones in the member's language. */
export const useRoleOptions = (roles: readonly TRole[] | undefined) => {
  const roleLabel = useRoleLabel();
  return (roles ?? []).map((role) => ({ value: role.id, label: roleLabel(role) }));
};
