import { Button, Group, Stack } from "@mantine/core";
import type { FormEvent, ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";

type ModalFormProps = {
  onSubmit: () => void;
  onCancel: () => void;
  /** What the last submit failed with that no field shows (useServerErrors' formError); null when nothing. */
  formError: unknown;
  isPending: boolean;
  submitLabel: string;
  children: ReactNode;
};

/**
 * A settings dialog's form: a failed submit's message above the fields, Cancel and the submit
 * button below them. While the submit is pending, Cancel is disabled and the button shows it loading.
 */
export const ModalForm = ({ onSubmit, onCancel, formError, isPending, submitLabel, children }: ModalFormProps) => {
  const { t } = useTranslation();
  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {formError !== null && <FormErrorAlert error={formError} />}
        {children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} disabled={isPending}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={isPending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};
