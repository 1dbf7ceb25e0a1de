import { ColorInput, Modal, Textarea, TextInput } from "@mantine/core";
import type { TLabel } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ModalForm } from "../components/modal-form";
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

  const handleSubmit = () => {
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
    <ModalForm
      onSubmit={handleSubmit}
      onCancel={onDone}
      formError={errors.formError}
      isPending={save.isPending}
      submitLabel={label ? t("settings.common.save") : t("settings.common.create")}
    >
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
    </ModalForm>
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
