import { Badge, Button, ColorSwatch, Group, Text } from "@mantine/core";
import type { TLabel } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmItemModal } from "../components/confirm-modal";
import { RowActions } from "../components/row-actions";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { LabelModal } from "./label-modal";
import { useDeleteLabel, useLabels } from "./labels-api";

export const LabelsPage = () => {
  const { t } = useTranslation();
  const labels = useLabels();
  const remove = useDeleteLabel();
  const [editing, setEditing] = useState<TLabel | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<TLabel | null>(null);

  return (
    <SettingsPage
      title={t("settings.labels.pageTitle")}
      description={t("settings.labels.description")}
      actions={<Button onClick={() => setEditing(null)}>{t("settings.labels.add")}</Button>}
    >
      <SettingsTable
        query={labels}
        label={t("settings.labels.tableLabel")}
        empty={{ title: t("settings.labels.empty.title"), description: t("settings.labels.empty.description") }}
        minWidth={560}
        columns={[
          {
            header: t("settings.labels.columns.name"),
            cell: (label) => (
              <Group gap="xs" wrap="nowrap">
                <ColorSwatch color={label.color} size={14} aria-hidden="true" />
                <Badge miw="fit-content" variant="light" color={label.color} tt="none">
                  {label.name}
                </Badge>
              </Group>
            ),
          },
          {
            header: t("settings.labels.columns.description"),
            cell: (label) => (
              <Text size="sm" c={label.description ? undefined : "dimmed"} lineClamp={2}>
                {label.description || "—"}
              </Text>
            ),
          },
          {
            header: t("settings.common.actions"),
            cell: (label) => (
              <RowActions itemLabel={label.name} onEdit={() => setEditing(label)} onDelete={() => setDeleting(label)} />
            ),
          },
        ]}
      />
      <LabelModal label={editing} onClose={() => setEditing(undefined)} />
      <ConfirmItemModal
        item={deleting}
        title={t("settings.labels.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("settings.labels.deleteBody")}
        confirmLabel={t("settings.common.confirmDelete")}
        mutation={remove}
        doneMessage={t("settings.labels.deleted")}
        onClose={() => setDeleting(null)}
      />
    </SettingsPage>
  );
};
