import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import type { UseMutationResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { useNotifySaved } from "../lib/use-notify";

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

type ConfirmItemModalProps<Item extends { id: string }, Result> = Pick<
  ConfirmModalProps,
  "title" | "body" | "confirmLabel" | "color"
> & {
  /** The list row to act on; the dialog is open while there is one. */
  item: Item | null;
  /** The action, given the row's id (delete, revoke, sign out…). */
  mutation: UseMutationResult<Result, Error, string>;
  /** The notice once the action is done. */
  doneMessage: string;
  /** Forgets the row, which closes the dialog. */
  onClose: () => void;
};

/** A settings list row's destructive action: asks, acts on the row's id, says it is done and closes. */
export const ConfirmItemModal = <Item extends { id: string }, Result>({
  item,
  mutation,
  doneMessage,
  onClose,
  ...texts
}: ConfirmItemModalProps<Item, Result>) => {
  const notify = useNotifySaved();
  return (
    <ConfirmModal
      {...texts}
      opened={item !== null}
      onClose={() => {
        // A failure belongs to this attempt; the next row's dialog opens clean.
        mutation.reset();
        onClose();
      }}
      onConfirm={() =>
        item &&
        mutation.mutate(item.id, {
          onSuccess: () => {
            notify(doneMessage);
            onClose();
          },
        })
      }
      isPending={mutation.isPending}
      error={mutation.error}
    />
  );
};
