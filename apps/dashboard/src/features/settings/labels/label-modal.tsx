import { Button, ColorInput, Group, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import type { TLabel } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useSaveLabel } from "./labels-api";

const FIELDS = ["name", "color", "description"] as const;
const SWATCHES = [
  "#868e96",
  "#fa5252",
  "#e64980",
  "#be4bdb",
  "#7950f2",
  "#4c6ef5",
  "#228be6",
  "#15aabf",
  "#12b886",
  "#40c057",
  "#82c91e",
  "#fab005",
  "#fd7e14",
];

const LabelForm = ({ label, onDone }: { label: TLabel | null; onDone: () => void }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const save = useSaveLabel();
  const errors = useServerErrors(FIELDS);
  const [name, setName] = useState(label?.name ?? "");
  const [color, setColor] = useState(label?.color ?? "#228be6");
  const [description, setDescription] = useState(label?.description ?? "");

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate(
      { id: label?.id ?? null, input: { name, color, description } },
      {
        onSuccess: (saved) => {
          notify(
            label ? t("settings.common.saved") : t("settings.labels.created"),
            t("settings.labels.savedMessage", { name: saved.name }),
          );
          onDone();
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <TextInput
          label={t("settings.labels.name")}
          description={label ? t("settings.labels.nameHint") : undefined}
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            errors.clearField("name");
          }}
          error={errors.fieldErrors.name}
          required
          maxLength={50}
          data-autofocus
        />
        <ColorInput
          label={t("settings.labels.color")}
          value={color}
          onChange={(value) => {
            setColor(value);
            errors.clearField("color");
          }}
          error={errors.fieldErrors.color}
          format="hex"
          swatches={SWATCHES}
          dir="ltr"
        />
        <Textarea
          label={t("settings.labels.description_label")}
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
          error={errors.fieldErrors.description}
          maxLength={200}
          autosize
          minRows={2}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone} disabled={save.isPending}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {label ? t("settings.common.save") : t("settings.common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

export const LabelModal = ({ label, onClose }: { label: TLabel | null | undefined; onClose: () => void }) => {
  const { t } = useTranslation();
  return (
    <Modal
      opened={label !== undefined}
      onClose={onClose}
      title={label ? t("settings.labels.editTitle", { name: label.name }) : t("settings.labels.createTitle")}
      centered
    >
      {label !== undefined && <LabelForm key={label?.id ?? "new"} label={label} onDone={onClose} />}
    </Modal>
  );
};
