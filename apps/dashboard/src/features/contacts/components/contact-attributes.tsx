import { ActionIcon, Button, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TContactDetail } from "@parley/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { IconX } from "../../inbox/components/nav-icons";
import { applyContact, updateContact } from "../api/contacts-api";

const display = (value: unknown) => (value === null ? "—" : typeof value === "object" ? JSON.stringify(value) : String(value));

/** Custom attributes (plan, company …): read, add, change, remove; the whole set is saved at once. */
export const ContactAttributes = ({ contact, canEdit }: { contact: TContactDetail; canEdit: boolean }) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const save = useMutation({
    mutationFn: (customAttributes: Record<string, string | number | boolean | null>) =>
      updateContact(contact.id, { customAttributes }),
    onSuccess: (updated) => {
      applyContact(queryClient, updated);
      setKey("");
      setValue("");
    },
    onError: (error) =>
      notifications.show({ color: "red", title: t("contacts.attributes.saveFailed"), message: describeError(error) }),
  });
  const current = (): Record<string, string | number | boolean | null> => {
    const result: Record<string, string | number | boolean | null> = {};
    for (const [name, entry] of Object.entries(contact.customAttributes)) {
      if (entry === null || typeof entry === "string" || typeof entry === "number" || typeof entry === "boolean")
        result[name] = entry;
    }
    return result;
  };
  const entries = Object.entries(contact.customAttributes);
  return (
    <Stack gap="xs">
      {entries.length === 0 ? (
        <Text size="xs" c="dimmed">
          {t("contacts.attributes.none")}
        </Text>
      ) : (
        <Table fz="xs" verticalSpacing={4} withRowBorders={false}>
          <Table.Tbody>
            {entries.map(([name, entry]) => (
              <Table.Tr key={name}>
                <Table.Th w="40%" fw={500} c="dimmed">
                  {name}
                </Table.Th>
                <Table.Td style={{ overflowWrap: "anywhere" }}>{display(entry)}</Table.Td>
                {canEdit && (
                  <Table.Td w={28}>
                    <ActionIcon
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={t("contacts.attributes.remove", { name })}
                      onClick={() => {
                        const next = current();
                        delete next[name];
                        save.mutate(next);
                      }}
                    >
                      <IconX size={12} />
                    </ActionIcon>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canEdit && (
        <Group
          gap={4}
          wrap="wrap"
          align="flex-end"
          component="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (key.trim() === "") return;
            save.mutate({ ...current(), [key.trim()]: value });
          }}
        >
          <TextInput
            size="xs"
            placeholder={t("contacts.attributes.key")}
            aria-label={t("contacts.attributes.key")}
            value={key}
            onChange={(event) => setKey(event.currentTarget.value)}
            maxLength={100}
          />
          <TextInput
            size="xs"
            placeholder={t("contacts.attributes.value")}
            aria-label={t("contacts.attributes.value")}
            value={value}
            onChange={(event) => setValue(event.currentTarget.value)}
            maxLength={1000}
          />
          <Button size="xs" type="submit" variant="light" loading={save.isPending} disabled={key.trim() === ""}>
            {t("contacts.attributes.add")}
          </Button>
        </Group>
      )}
    </Stack>
  );
};
