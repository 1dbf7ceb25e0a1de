import { Button, Code, CopyButton, Group, List, Paper, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { IconCheck } from "../../../components/icons";

const FILE_NAME = "parley-backup-codes.txt";

const download = (text: string) => {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = FILE_NAME;
  link.click();
  URL.revokeObjectURL(url);
};

type Props = { codes: readonly string[]; onDone: () => void; isContinuing: boolean };

/** The backup codes, shown this once: the server keeps only their hashes. */
export const BackupCodesPanel = ({ codes, onDone, isContinuing }: Props) => {
  const { t } = useTranslation();
  const asText = `${codes.join("\n")}\n`;
  return (
    <Stack gap="md">
      <Title order={2} fz="h3">
        {t("restrictions.twoFactor.backupTitle")}
      </Title>
      <Text size="sm">{t("restrictions.twoFactor.backupIntro")}</Text>
      <Paper withBorder p="md" radius="md">
        <List
          aria-label={t("restrictions.twoFactor.backupCodes")}
          listStyleType="none"
          spacing={6}
          style={{ columnCount: 2, direction: "ltr" }}
        >
          {codes.map((code) => (
            <List.Item key={code}>
              <Code fz="sm" data-testid="backup-code">
                {code}
              </Code>
            </List.Item>
          ))}
        </List>
      </Paper>
      <Group grow>
        <CopyButton value={asText}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy} leftSection={copied ? <IconCheck size={16} /> : null}>
              {copied ? t("restrictions.twoFactor.copied") : t("restrictions.twoFactor.copyCodes")}
            </Button>
          )}
        </CopyButton>
        <Button variant="default" onClick={() => download(asText)}>
          {t("restrictions.twoFactor.download")}
        </Button>
      </Group>
      <Button onClick={onDone} loading={isContinuing} fullWidth>
        {t("restrictions.twoFactor.saved")}
      </Button>
    </Stack>
  );
};
