import { Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import type { TSsoConnection } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { useNotifySaved } from "../lib/use-notify";
import { useDeleteSsoConnection, useSsoConnections } from "./security-api";
import { SsoConnectionModal } from "./sso-connection-modal";

const protocolLabel = (connection: TSsoConnection) =>
  connection.protocol === "saml" ? "saml" : connection.provider === "google" ? "google" : "oidc";

export const SsoConnectionsPanel = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const connections = useSsoConnections();
  const remove = useDeleteSsoConnection();
  const [editing, setEditing] = useState<TSsoConnection | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TSsoConnection | null>(null);
  const items = connections.data?.items ?? [];
  const paged = usePagedItems(items);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4} maw={560}>
          <Title order={2} fz="h4">
            {t("settings.security.sso.title")}
          </Title>
          <Text size="sm" c="dimmed">
            {t("settings.security.sso.description")}
          </Text>
        </Stack>
        <Button variant="default" onClick={() => setEditing(null)}>
          {t("settings.security.sso.add")}
        </Button>
      </Group>
      {connections.isPending && <ListSkeleton rows={2} />}
      {connections.isError && (
        <QueryErrorAlert
          title={t("settings.common.loadFailed")}
          error={connections.error}
          onRetry={() => void connections.refetch()}
          isRetrying={connections.isFetching}
        />
      )}
      {connections.isSuccess && items.length === 0 && (
        <EmptyList title={t("settings.security.sso.empty.title")} description={t("settings.security.sso.empty.description")} />
      )}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={620}>
          <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.security.sso.tableLabel")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("settings.security.sso.columns.name")}</Table.Th>
                <Table.Th>{t("settings.security.sso.columns.protocol")}</Table.Th>
                <Table.Th>{t("settings.security.sso.columns.domains")}</Table.Th>
                <Table.Th>{t("settings.security.sso.columns.status")}</Table.Th>
                <Table.Th>{t("settings.common.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {paged.pageItems.map((connection) => (
                <Table.Tr key={connection.id}>
                  <Table.Td>{connection.name}</Table.Td>
                  <Table.Td>{t(`settings.security.sso.kinds.${protocolLabel(connection)}`)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" dir="ltr" ta="start">
                      {connection.domains.join(", ")}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge miw="fit-content" variant="light" color={connection.isEnabled ? "teal" : "gray"}>
                      {connection.isEnabled ? t("settings.security.sso.enabled") : t("settings.security.sso.disabled")}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="subtle" onClick={() => setEditing(connection)}>
                        {t("settings.common.edit")}
                      </Button>
                      <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(connection)}>
                        {t("settings.common.delete")}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
      <SsoConnectionModal connection={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal
        opened={deleting !== null}
        title={t("settings.security.sso.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("settings.security.sso.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notify(t("settings.security.sso.deleted"));
              setDeleting(null);
            },
          })
        }
        isPending={remove.isPending}
        error={remove.error}
      />
    </Stack>
  );
};
