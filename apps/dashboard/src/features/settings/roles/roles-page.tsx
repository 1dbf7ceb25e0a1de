import { Badge, Button, Card, Group, Stack, Table, Text, Tooltip } from "@mantine/core";
import type { TRole } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IconCheck } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useHasPermission, useRoleLabel } from "../../auth/hooks/use-permissions";
import { ConfirmItemModal } from "../components/confirm-modal";
import { ListSkeleton } from "../components/list-states";
import { SettingsPage } from "../components/settings-page";
import { useRoles } from "../lib/directory-api";
import { usePermissionLabel } from "../lib/use-permission-label";
import { RoleModal } from "./role-modal";
import { useDeleteRole, usePermissionMatrix } from "./roles-api";

export const RolesPage = () => {
  const { t } = useTranslation();
  const permissionLabel = usePermissionLabel();
  const roleLabel = useRoleLabel();
  const canManage = useHasPermission()("roles.manage");
  const roles = useRoles();
  const matrix = usePermissionMatrix();
  const remove = useDeleteRole();
  const [editing, setEditing] = useState<TRole | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TRole | null>(null);
  const roleById = new Map((roles.data?.items ?? []).map((role) => [role.id, role]));
  const failed = roles.isError ? roles : matrix.isError ? matrix : null;

  return (
    <SettingsPage
      title={t("settings.roles.pageTitle")}
      description={t("settings.roles.description")}
      actions={canManage && <Button onClick={() => setEditing(null)}>{t("settings.roles.add")}</Button>}
    >
      <Card withBorder radius="md" padding="lg">
        {(roles.isPending || matrix.isPending) && !failed && <ListSkeleton rows={8} />}
        {failed && (
          <QueryErrorAlert
            title={t("settings.roles.loadFailed")}
            error={failed.error}
            onRetry={() => {
              void roles.refetch();
              void matrix.refetch();
            }}
            isRetrying={roles.isFetching || matrix.isFetching}
          />
        )}
        {roles.data && matrix.data && (
          <Table.ScrollContainer minWidth={240 + matrix.data.roles.length * 100}>
            <Table verticalSpacing="xs" striped highlightOnHover withColumnBorders aria-label={t("settings.roles.matrixLabel")}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("settings.roles.permission")}</Table.Th>
                  {matrix.data.roles.map((summary) => {
                    const role = roleById.get(summary.id);
                    return (
                      <Table.Th key={summary.id} ta="center" data-testid="role-column">
                        <Stack gap={4} align="center">
                          <Text size="sm" fw={700}>
                            {roleLabel(summary)}
                          </Text>
                          <Badge miw="fit-content" size="xs" variant="light" color={summary.isBuiltIn ? "gray" : "grape"}>
                            {summary.isBuiltIn ? t("settings.roles.builtIn") : t("settings.roles.custom")}
                          </Badge>
                          {role && (
                            <Text size="xs" c="dimmed">
                              {t("settings.roles.memberCount", { count: role.memberCount })}
                            </Text>
                          )}
                          {canManage && role && !role.isBuiltIn && (
                            <Group gap={4} wrap="nowrap">
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                onClick={() => setEditing(role)}
                                aria-label={`${t("settings.common.edit")} ${role.name}`}
                              >
                                {t("settings.common.edit")}
                              </Button>
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                color="red"
                                onClick={() => setDeleting(role)}
                                aria-label={`${t("settings.common.delete")} ${role.name}`}
                              >
                                {t("settings.common.delete")}
                              </Button>
                            </Group>
                          )}
                        </Stack>
                      </Table.Th>
                    );
                  })}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {matrix.data.permissions.map((permission) => (
                  <Table.Tr key={permission.name}>
                    <Table.Td>
                      <Tooltip label={permission.description} multiline w={320} withinPortal>
                        <Stack gap={0}>
                          <Text size="sm">{permissionLabel(permission.name)}</Text>
                          <Text size="xs" c="dimmed" ff="monospace" dir="ltr" ta="start">
                            {permission.name}
                          </Text>
                        </Stack>
                      </Tooltip>
                    </Table.Td>
                    {matrix.data.roles.map((role) => {
                      const isGranted = permission.grantedBy[role.id] === true;
                      const label = isGranted ? t("settings.roles.granted") : t("settings.roles.notGranted");
                      return (
                        <Table.Td key={role.id} ta="center" aria-label={label} title={label}>
                          {isGranted ? <IconCheck size={16} color="var(--mantine-color-teal-6)" /> : <Text c="dimmed">–</Text>}
                        </Table.Td>
                      );
                    })}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <RoleModal role={editing} onClose={() => setEditing(undefined)} />
      <ConfirmItemModal
        item={deleting}
        title={t("settings.roles.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("settings.roles.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        mutation={remove}
        doneMessage={t("settings.roles.deleted")}
        onClose={() => setDeleting(null)}
      />
    </SettingsPage>
  );
};
