import { Badge, Button, Code, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import type { TCannedResponse } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { useSession } from "../../auth/hooks/use-session";
import { ConfirmItemModal } from "../components/confirm-modal";
import { RowActions } from "../components/row-actions";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { useCannedResponses, useDeleteCannedResponse } from "./canned-api";
import { CannedResponseModal } from "./canned-response-modal";

export const CannedResponsesPage = () => {
  const { t } = useTranslation();
  const { user } = useSession();
  const canManageShared = useHasPermission()("settings.manage");
  const [search, setSearch] = useState("");
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const responses = useCannedResponses(debouncedSearch);
  const remove = useDeleteCannedResponse();
  const [editing, setEditing] = useState<TCannedResponse | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TCannedResponse | null>(null);
  // Shared responses change only with settings.manage; personal ones only by their owner.
  const canChange = (response: TCannedResponse) =>
    response.scope === "shared" ? canManageShared : response.ownerUserId === user.id;

  return (
    <SettingsPage
      title={t("settings.canned.pageTitle")}
      description={t("settings.canned.description")}
      actions={<Button onClick={() => setEditing(null)}>{t("settings.canned.add")}</Button>}
    >
      <SettingsTable
        query={responses}
        label={t("settings.canned.tableLabel")}
        empty={{ title: t("settings.canned.empty.title"), description: t("settings.canned.empty.description") }}
        minWidth={640}
        toolbar={
          <TextInput
            label={t("settings.common.search")}
            placeholder={t("settings.canned.search")}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            maw={360}
          />
        }
        columns={[
          { header: t("settings.canned.columns.shortcut"), cell: (response) => <Code dir="ltr">/{response.shortcut}</Code> },
          {
            header: t("settings.canned.columns.content"),
            maw: 420,
            cell: (response) => (
              <Text size="sm" lineClamp={2} style={{ whiteSpace: "pre-wrap" }}>
                {response.content}
              </Text>
            ),
          },
          {
            header: t("settings.canned.columns.scope"),
            cell: (response) => (
              <Badge miw="fit-content" variant="light" color={response.scope === "shared" ? "blue" : "gray"}>
                {t(`settings.canned.scopes.${response.scope}`)}
              </Badge>
            ),
          },
          {
            header: t("settings.common.actions"),
            cell: (response) =>
              canChange(response) && (
                <RowActions
                  itemLabel={`/${response.shortcut}`}
                  onEdit={() => setEditing(response)}
                  onDelete={() => setDeleting(response)}
                />
              ),
          },
        ]}
      />
      <CannedResponseModal response={editing} onClose={() => setEditing(undefined)} />
      <ConfirmItemModal
        item={deleting}
        title={t("settings.canned.deleteTitle", { shortcut: deleting?.shortcut ?? "" })}
        body={t("settings.canned.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        mutation={remove}
        doneMessage={t("settings.canned.deleted")}
        onClose={() => setDeleting(null)}
      />
    </SettingsPage>
  );
};
