import { BUILT_IN_ROLE_KEYS, type BuiltInRoleKey, type Permission, type TRoleSummary } from "@parley/shared";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "./use-session";

const isBuiltInRoleKey = (key: string | null): key is BuiltInRoleKey => BUILT_IN_ROLE_KEYS.some((builtIn) => builtIn === key);

/** Whether the signed-in member's role grants a permission; the server checks the same on every route. */
export const useHasPermission = (): ((permission: Permission) => boolean) => {
  const { permissions } = useSession();
  return useCallback((permission: Permission) => permissions.includes(permission), [permissions]);
};

/** Built-in roles are translated; custom roles show the name the workspace gave them. */
export const useRoleLabel = (): ((role: TRoleSummary) => string) => {
  const { t } = useTranslation();
  return useCallback((role: TRoleSummary) => (isBuiltInRoleKey(role.key) ? t(`roles.${role.key}`) : role.name), [t]);
};
