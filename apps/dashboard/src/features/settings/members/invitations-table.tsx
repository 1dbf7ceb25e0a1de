import { Badge, Button, Card, Group, Select, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type TInvitation, type TInvitationStatus, ZInvitationStatus } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useRoleLabel } from "../../auth/hooks/use-permissions";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { useNotifySaved } from "../lib/use-notify";
import { useInvitations, useResendInvitation, useRevokeInvitation } from "./members-api";

const STATUS_COLORS: Record<TInvitationStatus, string> = { pending: "blue", accepted: "teal", expired: "gray", revoked: "red" };

export const InvitationsTable = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const describeError = useErrorMessage();
  const formatDateTime = useFormatDateTime();
  const roleLabel = useRoleLabel();
  const [status, setStatus] = useState<TInvitationStatus | null>("pending");
  const invitations = useInvitations(status);
  const resend = useResendInvitation();
  const revoke = useRevokeInvitation();
  const [revoking, setRevoking] = useState<TInvitation | null>(null);
  const items = invitations.data?.items ?? [];
  const paged = usePagedItems(items);

  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="md">
        <Select
          label={t("settings.members.invitationStatusFilter")}
          placeholder={t("settings.members.allStatuses")}
          data={ZInvitationStatus.options.map((value) => ({ value, label: t(`settings.members.invitationStatuses.${value}`) }))}
          value={status}
          onChange={(value) => {
            const parsed = ZInvitationStatus.safeParse(value);
            setStatus(parsed.success ? parsed.data : null);
          }}
          clearable
          maw={240}
        />
        {invitations.isPending && <ListSkeleton />}
        {invitations.isError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={invitations.error}
            onRetry={() => void invitations.refetch()}
            isRetrying={invitations.isFetching}
          />
        )}
        {invitations.isSuccess && items.length === 0 && (
          <EmptyList
            title={t("settings.members.invitationsEmpty.title")}
            description={t("settings.members.invitationsEmpty.description")}
          />
        )}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.members.invitationsTableLabel")}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("settings.members.invitationColumns.email")}</Table.Th>
                  <Table.Th>{t("settings.members.invitationColumns.role")}</Table.Th>
                  <Table.Th>{t("settings.members.invitationColumns.status")}</Table.Th>
                  <Table.Th>{t("settings.members.invitationColumns.sent")}</Table.Th>
                  <Table.Th>{t("settings.members.invitationColumns.expires")}</Table.Th>
                  <Table.Th>{t("settings.common.actions")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {paged.pageItems.map((invitation) => (
                  <Table.Tr key={invitation.id} data-testid="invitation-row">
                    <Table.Td>
                      <Text size="sm" dir="ltr" ta="start">
                        {invitation.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>{roleLabel(invitation.role)}</Table.Td>
                    <Table.Td>
                      <Badge miw="fit-content" color={STATUS_COLORS[invitation.status]} variant="light">
                        {t(`settings.members.invitationStatuses.${invitation.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(invitation.lastSentAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(invitation.expiresAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      {invitation.status === "pending" && (
                        <Group gap="xs" wrap="nowrap">
                          <Button
                            size="xs"
                            variant="subtle"
                            loading={resend.isPending && resend.variables === invitation.id}
                            onClick={() =>
                              resend.mutate(invitation.id, {
                                onSuccess: () => notify(t("settings.members.resent", { email: invitation.email })),
                                onError: (error) => notifications.show({ color: "red", message: describeError(error) }),
                              })
                            }
                          >
                            {t("settings.members.resend")}
                          </Button>
                          <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking(invitation)}>
                            {t("settings.members.revoke")}
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
      </Stack>
      <ConfirmModal
        opened={revoking !== null}
        title={t("settings.members.revokeTitle", { email: revoking?.email ?? "" })}
        body={t("settings.members.revokeBody")}
        confirmLabel={t("settings.members.revoke")}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              notify(t("settings.members.revoked"));
              setRevoking(null);
            },
          })
        }
        isPending={revoke.isPending}
        error={revoke.error}
      />
    </Card>
  );
};
