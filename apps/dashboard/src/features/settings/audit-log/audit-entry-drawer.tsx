import { Code, Drawer, Group, Stack, Text } from "@mantine/core";
import type { TAuditEntry } from "@parley/shared";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";

const Field = ({ label, children }: { label: string; children: ReactNode }) => (
  <Stack gap={4}>
    <Text size="xs" fw={700} c="dimmed" tt="uppercase">
      {label}
    </Text>
    {children}
  </Stack>
);

const asJson = (value: unknown) => JSON.stringify(value, null, 2) ?? "null";

export const AuditEntryDrawer = ({ entry, onClose }: { entry: TAuditEntry | null; onClose: () => void }) => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const [shown, setShown] = useState(entry);
  if (entry !== null && entry !== shown) setShown(entry);
  return (
    <Drawer opened={entry !== null} onClose={onClose} position="right" size="lg" title={t("settings.audit.detailsTitle")}>
      {shown && (
        <Stack gap="md">
          <Field label={t("settings.audit.columns.action")}>
            <Code dir="ltr">{shown.action}</Code>
          </Field>
          <Group gap="xl" align="flex-start">
            <Field label={t("settings.audit.columns.time")}>
              <Text size="sm">{formatDateTime(shown.createdAt)}</Text>
            </Field>
            <Field label={t("settings.audit.columns.actor")}>
              <Text size="sm">{shown.actor.label}</Text>
            </Field>
            <Field label={t("settings.audit.columns.target")}>
              <Text size="sm">
                {shown.target.type}
                {shown.target.label ? ` · ${shown.target.label}` : ""}
              </Text>
            </Field>
          </Group>
          <Group gap="xl" align="flex-start">
            <Field label={t("settings.audit.columns.ip")}>
              <Text size="sm" dir="ltr">
                {shown.ip ?? "—"}
              </Text>
            </Field>
            <Field label={t("settings.audit.userAgent")}>
              <Text size="sm" dir="ltr" style={{ wordBreak: "break-word" }}>
                {shown.userAgent ?? "—"}
              </Text>
            </Field>
          </Group>
          <Field label={t("settings.audit.before")}>
            <Code block dir="ltr" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
              {asJson(shown.before)}
            </Code>
          </Field>
          <Field label={t("settings.audit.after")}>
            <Code block dir="ltr" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
              {asJson(shown.after)}
            </Code>
          </Field>
        </Stack>
      )}
    </Drawer>
  );
};
