import { Group, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

type SettingsPageProps = { title: string; description?: string; actions?: ReactNode; children: ReactNode };

/** The heading every settings screen starts with: title, what the screen is for, and its main action. */
export const SettingsPage = ({ title, description, actions, children }: SettingsPageProps) => {
  const { t } = useTranslation();
  return (
    <Stack gap="lg">
      <title>{`${title} · ${t("app.name")}`}</title>
      <Group justify="space-between" align="flex-start" gap="md">
        <Stack gap={4} maw={720}>
          <Title order={1} fz="h2">
            {title}
          </Title>
          {description && <Text c="dimmed">{description}</Text>}
        </Stack>
        {actions}
      </Group>
      {children}
    </Stack>
  );
};
