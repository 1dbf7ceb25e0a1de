import { Badge, Button, Card, Code, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import type { TCannedResponse } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { useSession } from "../../auth/hooks/use-session";
import { ListPagination, usePagedItems } from "../components/client-pagination";
import { ConfirmModal } from "../components/confirm-modal";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { RowActions } from "../components/row-actions";
import { SettingsPage } from "../components/settings-page";
import { useNotifySaved } from "../lib/use-notify";
import { useCannedResponses, useDeleteCannedResponse } from "./canned-api";
import { CannedResponseModal } from "./canned-response-modal";

export const CannedResponsesPage = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const { user } = useSession();
  const canManageShared = useHasPermission()("settings.manage");
  const [search, setSearch] = useState("");
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const responses = useCannedResponses(debouncedSearch);
  const remove = useDeleteCannedResponse();
  const [editing, setEditing] = useState<TCannedResponse | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TCannedResponse | null>(null);
  const items = responses.data?.items ?? [];
  const paged = usePagedItems(items);
  // Shared responses change only with settings.manage; personal ones only by their owner.
  const canChange = (response: TCannedResponse) =>
    response.scope === "shared" ? canManageShared : response.ownerUserId === user.id;

  return (
    <SettingsPage
      title={t("settings.canned.pageTitle")}
      description={t("settings.canned.description")}
      actions={<Button onClick={() => setEditing(null)}>{t("settings.canned.add")}</Button>}
    >
      <Card withBorder radius="md" padding="lg">
        <Stack gap="md">
          <TextInput
            label={t("settings.common.search")}
            placeholder={t("settings.canned.search")}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            maw={360}
          />
          {responses.isPending && <ListSkeleton />}
          {responses.isError && (
            <QueryErrorAlert
              title={t("settings.common.loadFailed")}
              error={responses.error}
              onRetry={() => void responses.refetch()}
              isRetrying={responses.isFetching}
            />
          )}
          {responses.isSuccess && items.length === 0 && (
            <EmptyList title={t("settings.canned.empty.title")} description={t("settings.canned.empty.description")} />
          )}
          {items.length > 0 && (
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.canned.tableLabel")}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("settings.canned.columns.shortcut")}</Table.Th>
                    <Table.Th>{t("settings.canned.columns.content")}</Table.Th>
                    <Table.Th>{t("settings.canned.columns.scope")}</Table.Th>
                    <Table.Th>{t("settings.common.actions")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {paged.pageItems.map((response) => (
                    <Table.Tr key={response.id}>
                      <Table.Td>
                        <Code dir="ltr">/{response.shortcut}</Code>
                      </Table.Td>
                      <Table.Td maw={420}>
                        <Text size="sm" lineClamp={2} style={{ whiteSpace: "pre-wrap" }}>
                          {response.content}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge miw="fit-content" variant="light" color={response.scope === "shared" ? "blue" : "gray"}>
                          {t(`settings.canned.scopes.${response.scope}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {canChange(response) && (
                          <RowActions
                            itemLabel={`/${response.shortcut}`}
                            onEdit={() => setEditing(response)}
                            onDelete={() => setDeleting(response)}
                          />
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
      </Card>
      <CannedResponseModal response={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal
        opened={deleting !== null}
        title={t("settings.canned.deleteTitle", { shortcut: deleting?.shortcut ?? "" })}
        body={t("settings.canned.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notify(t("settings.canned.deleted"));
              setDeleting(null);
            },
          })
        }
        isPending={remove.isPending}
        error={remove.error}
      />
    </SettingsPage>
  );
};
