import { PERMISSIONS, type Permission } from "@parley/shared";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { settingsEn } from "../i18n/settings.en";

type LabelKey = keyof typeof settingsEn.roles.permissionNames;

/** Translation keys cannot hold dots, so `api_keys.manage` is looked up as `api_keys_manage`. */
const isLabelKey = (key: string): key is LabelKey => Object.hasOwn(settingsEn.roles.permissionNames, key);

const labelKeyOf = (permission: Permission): LabelKey | undefined => {
  const key = permission.replace(".", "_");
  return isLabelKey(key) ? key : undefined;
};

/** A permission's short name in the member's language; one added since falls back to its English description. */
export const usePermissionLabel = (): ((permission: Permission) => string) => {
  const { t } = useTranslation();
  return useCallback(
    (permission: Permission) => {
      const key = labelKeyOf(permission);
      return key ? t(`settings.roles.permissionNames.${key}`) : PERMISSIONS[permission];
    },
    [t],
  );
};
