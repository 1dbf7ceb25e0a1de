import { Badge, Button, Group, Select, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type TInvitation, type TInvitationStatus, ZInvitationStatus } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useRoleLabel } from "../../auth/hooks/use-permissions";
import { ConfirmItemModal } from "../components/confirm-modal";
import { SettingsTable } from "../components/settings-table";
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

  return (
    <>
      <SettingsTable
        query={invitations}
        label={t("settings.members.invitationsTableLabel")}
        empty={{
          title: t("settings.members.invitationsEmpty.title"),
          description: t("settings.members.invitationsEmpty.description"),
        }}
        minWidth={760}
        rowTestId="invitation-row"
        toolbar={
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
        }
        columns={[
          {
            header: t("settings.members.invitationColumns.email"),
            cell: (invitation) => (
              <Text size="sm" dir="ltr" ta="start">
                {invitation.email}
              </Text>
            ),
          },
          { header: t("settings.members.invitationColumns.role"), cell: (invitation) => roleLabel(invitation.role) },
          {
            header: t("settings.members.invitationColumns.status"),
            cell: (invitation) => (
              <Badge miw="fit-content" color={STATUS_COLORS[invitation.status]} variant="light">
                {t(`settings.members.invitationStatuses.${invitation.status}`)}
              </Badge>
            ),
          },
          {
            header: t("settings.members.invitationColumns.sent"),
            cell: (invitation) => <Text size="sm">{formatDateTime(invitation.lastSentAt)}</Text>,
          },
          {
            header: t("settings.members.invitationColumns.expires"),
            cell: (invitation) => <Text size="sm">{formatDateTime(invitation.expiresAt)}</Text>,
          },
          {
            header: t("settings.common.actions"),
            cell: (invitation) =>
              invitation.status === "pending" && (
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
              ),
          },
        ]}
      />
      <ConfirmItemModal
        item={revoking}
        title={t("settings.members.revokeTitle", { email: revoking?.email ?? "" })}
        body={t("settings.members.revokeBody")}
        confirmLabel={t("settings.members.revoke")}
        mutation={revoke}
        doneMessage={t("settings.members.revoked")}
        onClose={() => setRevoking(null)}
      />
    </>
  );
};
