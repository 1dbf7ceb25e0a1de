import { Alert, Button, Code, Drawer, Stack, Tabs, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { type DevMail, useDevMailbox } from "./dev-mailbox-api";

const MailDrawer = ({ mail, onClose }: { mail: DevMail | null; onClose: () => void }) => {
  const { t } = useTranslation();
  const [shown, setShown] = useState(mail);
  if (mail !== null && mail !== shown) setShown(mail);
  return (
    <Drawer opened={mail !== null} onClose={onClose} position="right" size="xl" title={shown?.subject ?? ""}>
      {shown && (
        <Stack gap="md">
          <Text size="sm" dir="ltr" ta="start">
            {shown.to}
          </Text>
          <Tabs defaultValue="text">
            <Tabs.List>
              <Tabs.Tab value="text">{t("settings.devMailbox.text")}</Tabs.Tab>
              {shown.html && <Tabs.Tab value="html">{t("settings.devMailbox.html")}</Tabs.Tab>}
            </Tabs.List>
            <Tabs.Panel value="text" pt="md">
              <Code block dir="ltr" data-testid="dev-mail-text" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
                {shown.text}
              </Code>
            </Tabs.Panel>
            {shown.html && (
              <Tabs.Panel value="html" pt="md">
                {/* An empty sandbox: the mail's HTML renders without scripts, forms or access to this page. */}
                <iframe
                  title={t("settings.devMailbox.htmlFrameLabel")}
                  sandbox=""
                  srcDoc={shown.html}
                  style={{
                    width: "100%",
                    height: "70vh",
                    border: "1px solid var(--mantine-color-default-border)",
                    background: "white",
                  }}
                />
              </Tabs.Panel>
            )}
          </Tabs>
        </Stack>
      )}
    </Drawer>
  );
};

export const DevMailboxPage = () => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const mailbox = useDevMailbox();
  const [opened, setOpened] = useState<DevMail | null>(null);
  const isEnabled = mailbox.data?.pages[0]?.isEnabled ?? true;

  return (
    <SettingsPage title={t("settings.devMailbox.pageTitle")} description={t("settings.devMailbox.description")}>
      {!isEnabled && <Alert color="blue">{t("settings.devMailbox.smtpConfigured")}</Alert>}
      <SettingsTable
        query={mailbox}
        label={t("settings.devMailbox.tableLabel")}
        empty={{ title: t("settings.devMailbox.empty.title"), description: t("settings.devMailbox.empty.description") }}
        minWidth={640}
        rowTestId="dev-mail"
        columns={[
          {
            header: t("settings.devMailbox.columns.to"),
            cell: (mail) => (
              <Text size="sm" dir="ltr" ta="start">
                {mail.to}
              </Text>
            ),
          },
          { header: t("settings.devMailbox.columns.subject"), cell: (mail) => <Text size="sm">{mail.subject}</Text> },
          {
            header: t("settings.devMailbox.columns.at"),
            cell: (mail) => (
              <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                {formatDateTime(mail.createdAt)}
              </Text>
            ),
          },
          {
            header: t("settings.common.actions"),
            cell: (mail) => (
              <Button
                size="xs"
                variant="subtle"
                onClick={() => setOpened(mail)}
                aria-label={`${t("settings.devMailbox.open")}: ${mail.subject}`}
              >
                {t("settings.devMailbox.open")}
              </Button>
            ),
          },
        ]}
      />
      <MailDrawer mail={opened} onClose={() => setOpened(null)} />
    </SettingsPage>
  );
};
