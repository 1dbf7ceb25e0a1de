import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";

type ConfirmModalProps = {
  opened: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  isPending: boolean;
  error: unknown;
  color?: string;
};

/** Every destructive action asks first; the failure, if any, stays in the dialog. */
export const ConfirmModal = ({
  opened,
  title,
  body,
  confirmLabel,
  onConfirm,
  onClose,
  isPending,
  error,
  color = "red",
}: ConfirmModalProps) => {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <Stack gap="md">
        {error !== null && error !== undefined && <FormErrorAlert error={error} />}
        <Text size="sm">{body}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={isPending}>
            {t("common.cancel")}
          </Button>
          <Button color={color} onClick={onConfirm} loading={isPending} data-autofocus>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
};
