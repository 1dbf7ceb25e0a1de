import { Button, Group, Stack, TextInput } from "@mantine/core";
import type { TContactDetail, TUpdateContactRequest } from "@parley/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useFormFields } from "../../../lib/use-form-fields";
import { applyContact, updateContact } from "../api/contacts-api";

const FIELDS = ["name", "email", "phone", "avatarUrl"] as const;

/** Name, email, phone and avatar; an emptied field clears it. The server's field errors show under each field. */
export const ContactProfileForm = ({ contact, onDone }: { contact: TContactDetail; onDone: () => void }) => {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { values, errors, setErrors, fieldProps } = useFormFields({
    name: contact.name ?? "",
    email: contact.email ?? "",
    phone: contact.phone ?? "",
    avatarUrl: contact.avatarUrl ?? "",
  });
  const save = useMutation({
    mutationFn: (body: TUpdateContactRequest) => updateContact(contact.id, body),
    onSuccess: (updated) => {
      applyContact(queryClient, updated);
      onDone();
    },
    onError: (error) => {
      if (isApiError(error)) {
        const next: Partial<Record<(typeof FIELDS)[number], string>> = {};
        for (const field of FIELDS) if (error.fieldErrors[field]) next[field] = error.fieldErrors[field];
        setErrors(next);
      }
    },
  });
  const submit = () => {
    const orNull = (value: string) => (value.trim() === "" ? null : value.trim());
    save.mutate({
      name: orNull(values.name),
      email: orNull(values.email),
      phone: orNull(values.phone),
      avatarUrl: orNull(values.avatarUrl),
    });
  };
  const hasFieldErrors = Object.keys(errors).length > 0;
  return (
    <Stack
      gap="xs"
      component="form"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <TextInput size="xs" label={t("contacts.fields.name")} {...fieldProps("name")} data-autofocus />
      <TextInput size="xs" type="email" label={t("contacts.fields.email")} {...fieldProps("email")} />
      <TextInput size="xs" type="tel" label={t("contacts.fields.phone")} {...fieldProps("phone")} />
      <TextInput size="xs" type="url" label={t("contacts.fields.avatarUrl")} {...fieldProps("avatarUrl")} />
      {save.isError && !hasFieldErrors && <FormErrorAlert error={save.error} />}
      <Group justify="flex-end" gap="xs">
        <Button size="xs" variant="default" onClick={onDone}>
          {t("common.cancel")}
        </Button>
        <Button size="xs" type="submit" loading={save.isPending}>
          {t("contacts.save")}
        </Button>
      </Group>
    </Stack>
  );
};
