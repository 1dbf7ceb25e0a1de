import { Badge, Button, Code, Text, Tooltip } from "@mantine/core";
import { PERMISSION_NAMES, type TApiKey } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ConfirmItemModal } from "../components/confirm-modal";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { usePermissionLabel } from "../lib/use-permission-label";
import { useApiKeys, useRevokeApiKey } from "./api-keys-api";
import { CreateApiKeyModal } from "./create-api-key-modal";

const STATUS_COLORS: Record<TApiKey["status"], string> = { active: "teal", expired: "gray", revoked: "red" };

export const ApiKeysPage = () => {
  const { t } = useTranslation();
  const permissionLabel = usePermissionLabel();
  const formatDateTime = useFormatDateTime();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [isCreating, setIsCreating] = useState(false);
  const [revoking, setRevoking] = useState<TApiKey | null>(null);

  return (
    <SettingsPage
      title={t("settings.apiKeys.pageTitle")}
      description={t("settings.apiKeys.description")}
      actions={<Button onClick={() => setIsCreating(true)}>{t("settings.apiKeys.add")}</Button>}
    >
      <SettingsTable
        query={keys}
        label={t("settings.apiKeys.tableLabel")}
        empty={{ title: t("settings.apiKeys.empty.title"), description: t("settings.apiKeys.empty.description") }}
        minWidth={860}
        rowTestId="api-key-row"
        columns={[
          {
            header: t("settings.apiKeys.columns.name"),
            cell: (key) => (
              <>
                <Text size="sm" fw={600}>
                  {key.name}
                </Text>
                {key.createdBy && (
                  <Text size="xs" c="dimmed">
                    {key.createdBy.name} · {formatDateTime(key.createdAt)}
                  </Text>
                )}
              </>
            ),
          },
          { header: t("settings.apiKeys.columns.key"), cell: (key) => <Code dir="ltr">{key.prefix}…</Code> },
          {
            header: t("settings.apiKeys.columns.permissions"),
            cell: (key) => (
              <Tooltip label={key.permissions.map((permission) => permissionLabel(permission)).join(", ")} multiline w={300}>
                <Text size="sm">
                  {key.permissions.length === PERMISSION_NAMES.length
                    ? t("settings.apiKeys.allPermissions")
                    : key.permissions.length}
                </Text>
              </Tooltip>
            ),
          },
          {
            header: t("settings.apiKeys.columns.lastUsed"),
            cell: (key) => <Text size="sm">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : t("settings.common.never")}</Text>,
          },
          {
            header: t("settings.apiKeys.columns.expires"),
            cell: (key) => <Text size="sm">{key.expiresAt ? formatDateTime(key.expiresAt) : t("settings.common.never")}</Text>,
          },
          {
            header: t("settings.apiKeys.columns.status"),
            cell: (key) => (
              <Badge miw="fit-content" variant="light" color={STATUS_COLORS[key.status]}>
                {t(`settings.apiKeys.statuses.${key.status}`)}
              </Badge>
            ),
          },
          {
            header: t("settings.common.actions"),
            cell: (key) =>
              key.status === "active" && (
                <Button
                  size="xs"
                  variant="subtle"
                  color="red"
                  onClick={() => setRevoking(key)}
                  aria-label={`${t("settings.apiKeys.revoke")} ${key.name}`}
                >
                  {t("settings.apiKeys.revoke")}
                </Button>
              ),
          },
        ]}
      />
      <CreateApiKeyModal opened={isCreating} onClose={() => setIsCreating(false)} />
      <ConfirmItemModal
        item={revoking}
        title={t("settings.apiKeys.revokeTitle", { name: revoking?.name ?? "" })}
        body={t("settings.apiKeys.revokeBody")}
        confirmLabel={t("settings.apiKeys.revoke")}
        mutation={revoke}
        doneMessage={t("settings.apiKeys.revoked")}
        onClose={() => setRevoking(null)}
      />
    </SettingsPage>
  );
};
