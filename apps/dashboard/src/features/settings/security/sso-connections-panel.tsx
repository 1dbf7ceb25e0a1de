import { Badge, Button, Group, Stack, Text, Title } from "@mantine/core";
import type { TSsoConnection } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmItemModal } from "../components/confirm-modal";
import { RowActions } from "../components/row-actions";
import { SettingsTable } from "../components/settings-table";
import { useDeleteSsoConnection, useSsoConnections } from "./security-api";
import { SsoConnectionModal } from "./sso-connection-modal";

const protocolLabel = (connection: TSsoConnection) =>
  connection.protocol === "saml" ? "saml" : connection.provider === "google" ? "google" : "oidc";

export const SsoConnectionsPanel = () => {
  const { t } = useTranslation();
  const connections = useSsoConnections();
  const remove = useDeleteSsoConnection();
  const [editing, setEditing] = useState<TSsoConnection | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TSsoConnection | null>(null);

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
      <SettingsTable
        query={connections}
        label={t("settings.security.sso.tableLabel")}
        empty={{ title: t("settings.security.sso.empty.title"), description: t("settings.security.sso.empty.description") }}
        minWidth={620}
        withCard={false}
        columns={[
          { header: t("settings.security.sso.columns.name"), cell: (connection) => connection.name },
          {
            header: t("settings.security.sso.columns.protocol"),
            cell: (connection) => t(`settings.security.sso.kinds.${protocolLabel(connection)}`),
          },
          {
            header: t("settings.security.sso.columns.domains"),
            cell: (connection) => (
              <Text size="sm" dir="ltr" ta="start">
                {connection.domains.join(", ")}
              </Text>
            ),
          },
          {
            header: t("settings.security.sso.columns.status"),
            cell: (connection) => (
              <Badge miw="fit-content" variant="light" color={connection.isEnabled ? "teal" : "gray"}>
                {connection.isEnabled ? t("settings.security.sso.enabled") : t("settings.security.sso.disabled")}
              </Badge>
            ),
          },
          {
            header: t("settings.common.actions"),
            cell: (connection) => (
              <RowActions
                itemLabel={connection.name}
                onEdit={() => setEditing(connection)}
                onDelete={() => setDeleting(connection)}
              />
            ),
          },
        ]}
      />
      <SsoConnectionModal connection={editing} onClose={() => setEditing(undefined)} />
      <ConfirmItemModal
        item={deleting}
        title={t("settings.security.sso.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("settings.security.sso.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        mutation={remove}
        doneMessage={t("settings.security.sso.deleted")}
        onClose={() => setDeleting(null)}
      />
    </Stack>
  );
};
