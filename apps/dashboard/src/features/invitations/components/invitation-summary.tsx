import { SimpleGrid, Stack, Text } from "@mantine/core";
import type { TInvitationLookup } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";

type FactProps = { label: string; value: string; testId: string; isWide?: boolean };

const Fact = ({ label, value, testId, isWide = false }: FactProps) => (
  <Stack gap={0} style={isWide ? { gridColumn: "1 / -1" } : undefined}>
    <Text size="xs" c="dimmed">
      {label}
    </Text>
    <Text size="sm" fw={500} data-testid={testId} style={{ overflowWrap: "anywhere" }}>
      {value}
    </Text>
  </Stack>
);

/** Workspace, role and address of an invitation, shown before the person decides. */
export const InvitationSummary = ({ invitation }: { invitation: TInvitationLookup }) => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  return (
    <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
      <Fact label={t("invitation.workspace")} value={invitation.workspaceName} testId="invitation-workspace" />
      <Fact label={t("invitation.role")} value={invitation.roleName} testId="invitation-role" />
      <Fact label={t("invitation.email")} value={invitation.email} testId="invitation-email" isWide />
      <Fact label={t("invitation.expires")} value={formatDateTime(invitation.expiresAt)} testId="invitation-expires" />
    </SimpleGrid>
  );
};
