import { Alert, Button, Card, Code, Drawer, Stack, Table, Tabs, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { EmptyList, ListSkeleton } from "../components/list-states";
import { LoadMore } from "../components/load-more";
import { SettingsPage } from "../components/settings-page";
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
  const items = mailbox.data?.pages.flatMap((page) => page.items) ?? [];
  const isEnabled = mailbox.data?.pages[0]?.isEnabled ?? true;

  return (
    <SettingsPage title={t("settings.devMailbox.pageTitle")} description={t("settings.devMailbox.description")}>
      {!isEnabled && <Alert color="blue">{t("settings.devMailbox.smtpConfigured")}</Alert>}
      <Card withBorder radius="md" padding="lg">
        {mailbox.isPending && <ListSkeleton />}
        {mailbox.isError && !mailbox.isFetchNextPageError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={mailbox.error}
            onRetry={() => void mailbox.refetch()}
            isRetrying={mailbox.isFetching}
          />
        )}
        {mailbox.isSuccess && items.length === 0 && (
          <EmptyList title={t("settings.devMailbox.empty.title")} description={t("settings.devMailbox.empty.description")} />
        )}
        {items.length > 0 && (
          <Stack gap="md">
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t("settings.devMailbox.tableLabel")}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("settings.devMailbox.columns.to")}</Table.Th>
                    <Table.Th>{t("settings.devMailbox.columns.subject")}</Table.Th>
                    <Table.Th>{t("settings.devMailbox.columns.at")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((mail) => (
                    <Table.Tr key={mail.id} data-testid="dev-mail">
                      <Table.Td>
                        <Text size="sm" dir="ltr" ta="start">
                          {mail.to}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{mail.subject}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                          {formatDateTime(mail.createdAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="xs"
                          variant="subtle"
                          onClick={() => setOpened(mail)}
                          aria-label={`${t("settings.devMailbox.open")}: ${mail.subject}`}
                        >
                          {t("settings.devMailbox.open")}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore query={mailbox} />
          </Stack>
        )}
      </Card>
      <MailDrawer mail={opened} onClose={() => setOpened(null)} />
    </SettingsPage>
  );
};
