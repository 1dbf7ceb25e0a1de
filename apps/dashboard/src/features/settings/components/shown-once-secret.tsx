import { Alert, Button, Code, CopyButton, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { IconCheck } from "../../../components/icons";

/** A secret the server returns only in this answer (API key, signing secret). */
export const ShownOnceSecret = ({ label, value, testId }: { label: string; value: string; testId: string }) => {
  const { t } = useTranslation();
  return (
    <Alert color="yellow" title={label}>
      <Stack gap="sm">
        <Text size="sm">{t("settings.common.shownOnce")}</Text>
        <Code block dir="ltr" data-testid={testId} style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
          {value}
        </Code>
        <Group>
          <CopyButton value={value}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy} leftSection={copied ? <IconCheck size={14} /> : null}>
                {copied ? t("settings.common.copied") : t("settings.common.copy")}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
};
