import { Modal, Select, TextInput } from "@mantine/core";
import { INBOX_TYPES } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ModalForm } from "../components/modal-form";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useCreateInbox } from "./inboxes-api";

type InboxType = (typeof INBOX_TYPES)[number];
const isInboxType = (value: string | null): value is InboxType => INBOX_TYPES.some((type) => type === value);
const FIELDS = ["type", "name"] as const;

export const CreateInboxModal = ({ opened, onClose }: { opened: boolean; onClose: () => void }) => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const notify = useNotifySaved();
  const create = useCreateInbox();
  const errors = useServerErrors(FIELDS);
  const [type, setType] = useState<InboxType>("website");
  const [name, setName] = useState("");

  const close = () => {
    errors.reset();
    setName("");
    onClose();
  };

  const handleSubmit = () => {
    create.mutate(
      { type, name },
      {
        onSuccess: (inbox) => {
          notify(t("settings.inboxes.created"), t("settings.inboxes.createdMessage", { name: inbox.name }));
          close();
          navigate(`/settings/inboxes/${inbox.id}`);
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title={t("settings.inboxes.createTitle")} centered>
      <ModalForm
        onSubmit={handleSubmit}
        onCancel={close}
        formError={errors.formError}
        isPending={create.isPending}
        submitLabel={t("settings.common.create")}
      >
        <Select
          label={t("settings.inboxes.type")}
          description={t("settings.inboxes.typeHint")}
          data={INBOX_TYPES.map((value) => ({ value, label: t(`settings.inboxes.types.${value}`) }))}
          value={type}
          onChange={(value) => {
            if (isInboxType(value)) setType(value);
            errors.clearField("type");
          }}
          error={errors.fieldErrors.type}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
        <TextInput
          label={t("settings.inboxes.name")}
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            errors.clearField("name");
          }}
          error={errors.fieldErrors.name}
          required
          maxLength={80}
          data-autofocus
        />
      </ModalForm>
    </Modal>
  );
};
