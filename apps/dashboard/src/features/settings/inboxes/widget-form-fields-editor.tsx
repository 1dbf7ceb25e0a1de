import { ActionIcon, Button, Checkbox, Group, Select, Stack, Switch, TagsInput, Text, TextInput } from "@mantine/core";
import { type TWidgetForm, type TWidgetFormField, WIDGET_FIELD_TYPES } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";

type FieldType = (typeof WIDGET_FIELD_TYPES)[number];
const isFieldType = (value: string | null): value is FieldType => WIDGET_FIELD_TYPES.some((type) => type === value);

let nextRowId = 0;
const newRowId = () => {
  nextRowId += 1;
  return `field-row-${nextRowId}`;
};

type EditorProps = {
  label: string;
  form: TWidgetForm;
  onChange: (form: TWidgetForm) => void;
  /** The server's problem with one field of this form, by index. */
  errorAt: (index: number) => string | undefined;
};

/** The pre-chat or offline form: whether it is shown, and its fields in order. */
export const WidgetFormFieldsEditor = ({ label, form, onChange, errorAt }: EditorProps) => {
  const { t } = useTranslation();
  const w = "settings.inboxes.widget.forms" as const;
  // Stable row ids: keys typed into a field must not remount its row (and steal focus).
  const [rowIds, setRowIds] = useState(() => form.fields.map(newRowId));
  if (rowIds.length !== form.fields.length) setRowIds(form.fields.map(newRowId));
  const setField = (index: number, changes: Partial<TWidgetFormField>) =>
    onChange({ ...form, fields: form.fields.map((field, at) => (at === index ? { ...field, ...changes } : field)) });

  return (
    <Stack gap="xs">
      <Switch
        label={label}
        checked={form.isEnabled}
        onChange={(event) => onChange({ ...form, isEnabled: event.currentTarget.checked })}
      />
      {form.isEnabled && (
        <Stack gap="xs" pl="md">
          {form.fields.map((field, index) => (
            <Stack key={rowIds[index] ?? field.key} gap={4}>
              <Group gap="xs" align="flex-end" wrap="wrap">
                <TextInput
                  label={t(`${w}.key`)}
                  value={field.key}
                  onChange={(event) => setField(index, { key: event.currentTarget.value })}
                  w={130}
                  dir="ltr"
                />
                <TextInput
                  label={t(`${w}.fieldLabel`)}
                  value={field.label}
                  onChange={(event) => setField(index, { label: event.currentTarget.value })}
                  w={170}
                />
                <Select
                  label={t(`${w}.type`)}
                  data={WIDGET_FIELD_TYPES.map((type) => ({ value: type, label: t(`${w}.types.${type}`) }))}
                  value={field.type}
                  onChange={(value) => isFieldType(value) && setField(index, { type: value })}
                  allowDeselect={false}
                  w={130}
                />
                <Checkbox
                  label={t(`${w}.required`)}
                  checked={field.required}
                  onChange={(event) => setField(index, { required: event.currentTarget.checked })}
                  mb={8}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  mb={4}
                  aria-label={t(`${w}.removeField`, { label: field.label || field.key })}
                  onClick={() => {
                    setRowIds((previous) => previous.filter((_, at) => at !== index));
                    onChange({ ...form, fields: form.fields.filter((_, at) => at !== index) });
                  }}
                >
                  ×
                </ActionIcon>
              </Group>
              {field.type === "select" && (
                <TagsInput
                  label={t(`${w}.options`)}
                  value={field.options ?? []}
                  onChange={(options) => setField(index, { options })}
                  maw={480}
                />
              )}
              {errorAt(index) && (
                <Text size="xs" c="red" role="alert">
                  {errorAt(index)}
                </Text>
              )}
            </Stack>
          ))}
          <Group>
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                setRowIds((previous) => [...previous, newRowId()]);
                onChange({
                  ...form,
                  fields: [...form.fields, { key: `field_${form.fields.length + 1}`, label: "", type: "text", required: false }],
                });
              }}
            >
              {t(`${w}.addField`)}
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  );
};
