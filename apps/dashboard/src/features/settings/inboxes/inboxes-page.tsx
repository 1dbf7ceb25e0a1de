import { Anchor, Badge, Button, Card, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { SettingsPage } from "../components/settings-page";
import { CreateInboxModal } from "./create-inbox-modal";
import { useInboxes } from "./inboxes-api";

export const InboxesPage = () => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const inboxes = useInboxes();
  const [isCreating, setIsCreating] = useState(false);
  const items = inboxes.data?.items ?? [];
  const paged = usePagedItems(items);

  return (
    <SettingsPage
      title={t("settings.inboxes.pageTitle")}
      description={t("settings.inboxes.description")}
      actions={<Button onClick={() => setIsCreating(true)}>{t("settings.inboxes.add")}</Button>}
    >
      <Card withBorder radius="md" padding="lg">
        {inboxes.isPending && <ListSkeleton />}
        {inboxes.isError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={inboxes.error}
            onRetry={() => void inboxes.refetch()}
            isRetrying={inboxes.isFetching}
          />
        )}
        {inboxes.isSuccess && items.length === 0 && (
          <EmptyList title={t("settings.inboxes.empty.title")} description={t("settings.inboxes.empty.description")} />
        )}
        {items.length > 0 && (
          <Stack gap="md">
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.inboxes.tableLabel")}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("settings.inboxes.columns.name")}</Table.Th>
                    <Table.Th>{t("settings.inboxes.columns.type")}</Table.Th>
                    <Table.Th>{t("settings.inboxes.columns.autoAssignment")}</Table.Th>
                    <Table.Th>{t("settings.inboxes.columns.created")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {paged.pageItems.map((inbox) => (
                    <Table.Tr key={inbox.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/settings/inboxes/${inbox.id}`} fw={600}>
                          {inbox.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Badge miw="fit-content" variant="light">
                          {t(`settings.inboxes.types.${inbox.type}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{t(`settings.inboxes.strategies.${inbox.autoAssignment.strategy}`)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(inbox.createdAt)}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
          </Stack>
        )}
      </Card>
      <CreateInboxModal opened={isCreating} onClose={() => setIsCreating(false)} />
    </SettingsPage>
  );
};
