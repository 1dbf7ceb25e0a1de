import { Anchor, Badge, Button, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { CreateInboxModal } from "./create-inbox-modal";
import { useInboxes } from "./inboxes-api";

export const InboxesPage = () => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const inboxes = useInboxes();
  const [isCreating, setIsCreating] = useState(false);

  return (
    <SettingsPage
      title={t("settings.inboxes.pageTitle")}
      description={t("settings.inboxes.description")}
      actions={<Button onClick={() => setIsCreating(true)}>{t("settings.inboxes.add")}</Button>}
    >
      <SettingsTable
        query={inboxes}
        label={t("settings.inboxes.tableLabel")}
        empty={{ title: t("settings.inboxes.empty.title"), description: t("settings.inboxes.empty.description") }}
        minWidth={640}
        columns={[
          {
            header: t("settings.inboxes.columns.name"),
            cell: (inbox) => (
              <Anchor component={Link} to={`/settings/inboxes/${inbox.id}`} fw={600}>
                {inbox.name}
              </Anchor>
            ),
          },
          {
            header: t("settings.inboxes.columns.type"),
            cell: (inbox) => (
              <Badge miw="fit-content" variant="light">
                {t(`settings.inboxes.types.${inbox.type}`)}
              </Badge>
            ),
          },
          {
            header: t("settings.inboxes.columns.autoAssignment"),
            cell: (inbox) => <Text size="sm">{t(`settings.inboxes.strategies.${inbox.autoAssignment.strategy}`)}</Text>,
          },
          {
            header: t("settings.inboxes.columns.created"),
            cell: (inbox) => <Text size="sm">{formatDateTime(inbox.createdAt)}</Text>,
          },
        ]}
      />
      <CreateInboxModal opened={isCreating} onClose={() => setIsCreating(false)} />
    </SettingsPage>
  );
};
