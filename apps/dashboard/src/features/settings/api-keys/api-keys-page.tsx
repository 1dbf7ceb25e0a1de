import { Badge, Button, Card, Code, Group, Stack, Table, Text, Tooltip } from "@mantine/core";
import { PERMISSION_NAMES, type TApiKey } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { LoadMore } from "../components/load-more";
import { SettingsPage } from "../components/settings-page";
import { useNotifySaved } from "../lib/use-notify";
import { usePermissionLabel } from "../lib/use-permission-label";
import { useApiKeys, useRevokeApiKey } from "./api-keys-api";
import { CreateApiKeyModal } from "./create-api-key-modal";

const STATUS_COLORS: Record<TApiKey["status"], string> = { active: "teal", expired: "gray", revoked: "red" };

export const ApiKeysPage = () => {
  const { t } = useTranslation();
  const permissionLabel = usePermissionLabel();
  const notify = useNotifySaved();
  const formatDateTime = useFormatDateTime();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [isCreating, setIsCreating] = useState(false);
  const [revoking, setRevoking] = useState<TApiKey | null>(null);
  const items = keys.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <SettingsPage
      title={t("settings.apiKeys.pageTitle")}
      description={t("settings.apiKeys.description")}
      actions={<Button onClick={() => setIsCreating(true)}>{t("settings.apiKeys.add")}</Button>}
    >
      <Card withBorder radius="md" padding="lg">
        {keys.isPending && <ListSkeleton />}
        {keys.isError && !keys.isFetchNextPageError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={keys.error}
            onRetry={() => void keys.refetch()}
            isRetrying={keys.isFetching}
          />
        )}
        {keys.isSuccess && items.length === 0 && (
          <EmptyList title={t("settings.apiKeys.empty.title")} description={t("settings.apiKeys.empty.description")} />
        )}
        {items.length > 0 && (
          <Stack gap="md">
            <Table.ScrollContainer minWidth={860}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.apiKeys.tableLabel")}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("settings.apiKeys.columns.name")}</Table.Th>
                    <Table.Th>{t("settings.apiKeys.columns.key")}</Table.Th>
                    <Table.Th>{t("settings.apiKeys.columns.permissions")}</Table.Th>
                    <Table.Th>{t("settings.apiKeys.columns.lastUsed")}</Table.Th>
                    <Table.Th>{t("settings.apiKeys.columns.expires")}</Table.Th>
                    <Table.Th>{t("settings.apiKeys.columns.status")}</Table.Th>
                    <Table.Th>{t("settings.common.actions")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((key) => (
                    <Table.Tr key={key.id} data-testid="api-key-row">
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {key.name}
                        </Text>
                        {key.createdBy && (
                          <Text size="xs" c="dimmed">
                            {key.createdBy.name} · {formatDateTime(key.createdAt)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Code dir="ltr">{key.prefix}…</Code>
                      </Table.Td>
                      <Table.Td>
                        <Tooltip
                          label={key.permissions.map((permission) => permissionLabel(permission)).join(", ")}
                          multiline
                          w={300}
                        >
                          <Text size="sm">
                            {key.permissions.length === PERMISSION_NAMES.length
                              ? t("settings.apiKeys.allPermissions")
                              : key.permissions.length}
                          </Text>
                        </Tooltip>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : t("settings.common.never")}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{key.expiresAt ? formatDateTime(key.expiresAt) : t("settings.common.never")}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge miw="fit-content" variant="light" color={STATUS_COLORS[key.status]}>
                          {t(`settings.apiKeys.statuses.${key.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {key.status === "active" && (
                          <Group gap="xs">
                            <Button
                              size="xs"
                              variant="subtle"
                              color="red"
                              onClick={() => setRevoking(key)}
                              aria-label={`${t("settings.apiKeys.revoke")} ${key.name}`}
                            >
                              {t("settings.apiKeys.revoke")}
                            </Button>
                          </Group>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore query={keys} />
          </Stack>
        )}
      </Card>
      <CreateApiKeyModal opened={isCreating} onClose={() => setIsCreating(false)} />
      <ConfirmModal
        opened={revoking !== null}
        title={t("settings.apiKeys.revokeTitle", { name: revoking?.name ?? "" })}
        body={t("settings.apiKeys.revokeBody")}
        confirmLabel={t("settings.apiKeys.revoke")}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              notify(t("settings.apiKeys.revoked"));
              setRevoking(null);
            },
          })
        }
        isPending={revoke.isPending}
        error={revoke.error}
      />
    </SettingsPage>
  );
};
