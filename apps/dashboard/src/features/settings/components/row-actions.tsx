import { Button, Group } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** The Edit and Delete buttons of a settings list row, labelled with the item for screen readers. */
export const RowActions = ({ itemLabel, onEdit, onDelete }: { itemLabel: string; onEdit: () => void; onDelete: () => void }) => {
  const { t } = useTranslation();
  return (
    <Group gap="xs" wrap="nowrap">
      <Button size="xs" variant="subtle" onClick={onEdit} aria-label={`${t("settings.common.edit")} ${itemLabel}`}>
        {t("settings.common.edit")}
      </Button>
      <Button
        size="xs"
        variant="subtle"
        color="red"
        onClick={onDelete}
        aria-label={`${t("settings.common.delete")} ${itemLabel}`}
      >
        {t("settings.common.delete")}
      </Button>
    </Group>
  );
};
