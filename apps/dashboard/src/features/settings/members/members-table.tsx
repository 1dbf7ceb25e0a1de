import { Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import type { TMember, TMemberStatus } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { MemberAvatar } from "../../../components/member-avatar";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useHasPermission, useRoleLabel } from "../../auth/hooks/use-permissions";
import { useSession } from "../../auth/hooks/use-session";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { LoadMore } from "../components/load-more";
import { useRoles } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { useChangeMemberRole, useMembers, useRemoveMember, useSetMemberActive } from "./members-api";
import { useRoleOptions } from "./role-options";

type PendingAction = { kind: "deactivate" | "reactivate" | "remove"; member: TMember };

const isMemberStatus = (value: string | null): value is TMemberStatus => value === "active" || value === "deactivated";

export const MembersTable = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const describeError = useErrorMessage();
  const formatDateTime = useFormatDateTime();
  const roleLabel = useRoleLabel();
  const { user } = useSession();
  const canManage = useHasPermission()("members.manage");
  const roles = useRoles();
  const roleOptions = useRoleOptions(roles.data?.items);
  const [search, setSearch] = useState("");
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [roleId, setRoleId] = useState<string | null>(null);
  const [status, setStatus] = useState<TMemberStatus | null>(null);
  const members = useMembers({ search: debouncedSearch, roleId, status });
  const changeRole = useChangeMemberRole();
  const setActive = useSetMemberActive();
  const remove = useRemoveMember();
  const [pending, setPending] = useState<PendingAction | null>(null);
  const items = members.data?.pages.flatMap((page) => page.items) ?? [];

  const handleRoleChange = (member: TMember, newRoleId: string | null) => {
    if (!newRoleId || newRoleId === member.role.id) return;
    changeRole.mutate(
      { userId: member.user.id, roleId: newRoleId },
      {
        onSuccess: (updated) =>
          notify(t("settings.members.roleChanged", { name: updated.user.name, role: roleLabel(updated.role) })),
        onError: (error) => notifications.show({ color: "red", message: describeError(error) }),
      },
    );
  };

  const confirmPending = () => {
    if (!pending) return;
    const { kind, member } = pending;
    const done = (message: string) => () => {
      notify(message);
      setPending(null);
    };
    if (kind === "remove") {
      remove.mutate(member.user.id, { onSuccess: done(t("settings.members.removed", { name: member.user.name })) });
      return;
    }
    setActive.mutate(
      { userId: member.user.id, isActive: kind === "reactivate" },
      {
        onSuccess: done(
          kind === "reactivate"
            ? t("settings.members.reactivated", { name: member.user.name })
            : t("settings.members.deactivated", { name: member.user.name }),
        ),
      },
    );
  };

  const pendingTitle =
    pending?.kind === "remove"
      ? t("settings.members.removeTitle", { name: pending.member.user.name })
      : pending?.kind === "deactivate"
        ? t("settings.members.deactivateTitle", { name: pending.member.user.name })
        : t("settings.members.reactivate");

  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="md">
        <Group gap="sm" align="flex-end">
          <TextInput
            label={t("settings.common.search")}
            placeholder={t("settings.members.search")}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            style={{ flex: 1 }}
            miw={200}
          />
          <Select
            label={t("settings.members.role")}
            placeholder={t("settings.members.allRoles")}
            data={roleOptions}
            value={roleId}
            onChange={setRoleId}
            clearable
          />
          <Select
            label={t("settings.members.status")}
            placeholder={t("settings.members.allStatuses")}
            data={(["active", "deactivated"] as const).map((value) => ({
              value,
              label: t(`settings.members.statuses.${value}`),
            }))}
            value={status}
            onChange={(value) => setStatus(isMemberStatus(value) ? value : null)}
            clearable
          />
        </Group>
        {members.isPending && <ListSkeleton />}
        {members.isError && !members.isFetchNextPageError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={members.error}
            onRetry={() => void members.refetch()}
            isRetrying={members.isFetching}
          />
        )}
        {members.isSuccess && items.length === 0 && (
          <EmptyList title={t("settings.members.empty.title")} description={t("settings.members.empty.description")} />
        )}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.members.tableLabel")}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("settings.members.columns.member")}</Table.Th>
                  <Table.Th>{t("settings.members.columns.role")}</Table.Th>
                  <Table.Th>{t("settings.members.columns.status")}</Table.Th>
                  <Table.Th>{t("settings.members.columns.twoFactor")}</Table.Th>
                  <Table.Th>{t("settings.members.columns.lastLogin")}</Table.Th>
                  {canManage && <Table.Th>{t("settings.common.actions")}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((member) => {
                  const isSelf = member.user.id === user.id;
                  return (
                    <Table.Tr key={member.user.id} data-testid="member-row">
                      <Table.Td>
                        <Group gap="sm" wrap="nowrap">
                          <MemberAvatar name={member.user.name} avatarUrl={member.user.avatarUrl} size="md" />
                          <div>
                            <Group gap={6}>
                              <Text size="sm" fw={600}>
                                {member.user.name}
                              </Text>
                              {isSelf && (
                                <Badge miw="fit-content" size="xs" variant="light">
                                  {t("settings.members.you")}
                                </Badge>
                              )}
                            </Group>
                            <Text size="xs" c="dimmed" dir="ltr" ta="start">
                              {member.user.email}
                            </Text>
                          </div>
                        </Group>
                      </Table.Td>
                      <Table.Td miw={160}>
                        {canManage && !isSelf ? (
                          <Select
                            aria-label={t("settings.members.changeRole", { name: member.user.name })}
                            data={
                              roleOptions.length > 0 ? roleOptions : [{ value: member.role.id, label: roleLabel(member.role) }]
                            }
                            value={member.role.id}
                            onChange={(value) => handleRoleChange(member, value)}
                            allowDeselect={false}
                            size="xs"
                          />
                        ) : (
                          <Text size="sm">{roleLabel(member.role)}</Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Badge miw="fit-content" color={member.status === "active" ? "teal" : "gray"} variant="light">
                          {t(`settings.members.statuses.${member.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{member.twoFactorEnabled ? t("settings.common.yes") : t("settings.common.no")}</Table.Td>
                      <Table.Td>
                        <Text size="sm">
                          {member.lastLoginAt ? formatDateTime(member.lastLoginAt) : t("settings.common.never")}
                        </Text>
                      </Table.Td>
                      {canManage && (
                        <Table.Td>
                          {!isSelf && (
                            <Group gap="xs" wrap="nowrap">
                              <Button
                                size="xs"
                                variant="subtle"
                                onClick={() =>
                                  setPending({ kind: member.status === "active" ? "deactivate" : "reactivate", member })
                                }
                              >
                                {member.status === "active" ? t("settings.members.deactivate") : t("settings.members.reactivate")}
                              </Button>
                              <Button
                                size="xs"
                                variant="subtle"
                                color="red"
                                onClick={() => setPending({ kind: "remove", member })}
                              >
                                {t("settings.common.remove")}
                              </Button>
                            </Group>
                          )}
                        </Table.Td>
                      )}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <LoadMore query={members} />
      </Stack>
      <ConfirmModal
        opened={pending !== null}
        title={pendingTitle}
        body={
          pending?.kind === "remove"
            ? `${t("settings.members.removeBody")} ${t("settings.members.conversationsReleased")}`
            : pending?.kind === "deactivate"
              ? `${t("settings.members.deactivateBody")} ${t("settings.members.conversationsReleased")}`
              : ""
        }
        confirmLabel={
          pending?.kind === "remove"
            ? t("settings.common.remove")
            : pending?.kind === "deactivate"
              ? t("settings.members.deactivate")
              : t("settings.members.reactivate")
        }
        color={pending?.kind === "reactivate" ? "blue" : "red"}
        onClose={() => {
          remove.reset();
          setActive.reset();
          setPending(null);
        }}
        onConfirm={confirmPending}
        isPending={remove.isPending || setActive.isPending}
        error={remove.error ?? setActive.error}
      />
    </Card>
  );
};
