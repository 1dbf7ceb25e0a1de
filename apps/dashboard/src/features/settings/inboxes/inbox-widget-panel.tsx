import { Button, Code, CopyButton, Divider, Group, Stack, Text, Title } from "@mantine/core";
import type { TInboxDetail } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IconCheck } from "../../../components/icons";
import { ConfirmModal } from "../components/confirm-modal";
import { ShownOnceSecret } from "../components/shown-once-secret";
import { useRotateInboxSecret } from "./widget-settings-api";
import { WidgetSettingsSection } from "./widget-settings-form";

/** The dashboard is served from Parley's public address, which is also where the widget loader lives. */
export const widgetSnippet = (origin: string, websiteToken: string) =>
  `<script async src="${origin}/widget.js" data-inbox="${websiteToken}"></script>`;

/** The secret a site uses to sign visitor identities (HMAC-SHA256 of the visitor id). */
const IdentitySecretSection = ({ inbox }: { inbox: TInboxDetail }) => {
  const { t } = useTranslation();
  const w = "settings.inboxes.widget" as const;
  const rotate = useRotateInboxSecret(inbox.id);
  const [isConfirming, setIsConfirming] = useState(false);
  return (
    <Stack gap="sm">
      <Title order={2} fz="h4">
        {t(`${w}.secretTitle`)}
      </Title>
      <Text size="sm" c="dimmed">
        {t(`${w}.secretDescription`)}
      </Text>
      <Text size="sm">{inbox.hasSecret ? t(`${w}.secretSet`) : t(`${w}.secretNotSet`)}</Text>
      {rotate.data && <ShownOnceSecret label={t(`${w}.secretTitle`)} value={rotate.data.secret} testId="inbox-secret" />}
      <Group>
        <Button variant="default" onClick={() => setIsConfirming(true)}>
          {inbox.hasSecret ? t(`${w}.rotateSecret`) : t(`${w}.createSecret`)}
        </Button>
      </Group>
      <ConfirmModal
        opened={isConfirming}
        title={t(`${w}.rotateSecretTitle`)}
        body={t(`${w}.rotateSecretBody`)}
        confirmLabel={inbox.hasSecret ? t(`${w}.rotateSecret`) : t(`${w}.createSecret`)}
        color="orange"
        onClose={() => setIsConfirming(false)}
        onConfirm={() => rotate.mutate(undefined, { onSuccess: () => setIsConfirming(false) })}
        isPending={rotate.isPending}
        error={rotate.error}
      />
    </Stack>
  );
};

export const InboxWidgetPanel = ({ inbox }: { inbox: TInboxDetail }) => {
  const { t } = useTranslation();
  const token = inbox.websiteToken ?? "";
  const snippet = widgetSnippet(window.location.origin, token);
  return (
    <Stack gap="xl">
      <Stack gap="sm">
        <Title order={2} fz="h4">
          {t("settings.inboxes.widget.snippetTitle")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.inboxes.widget.snippetDescription")}
        </Text>
        <Code block dir="ltr" data-testid="widget-snippet" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
          {snippet}
        </Code>
        <Group>
          <CopyButton value={snippet}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy} leftSection={copied ? <IconCheck size={16} /> : null}>
                {copied ? t("settings.common.copied") : t("settings.inboxes.widget.copySnippet")}
              </Button>
            )}
          </CopyButton>
          <Text size="sm" c="dimmed">
            {t("settings.inboxes.widget.token")}:{" "}
            <Code dir="ltr" data-testid="website-token">
              {token}
            </Code>
          </Text>
        </Group>
      </Stack>
      <Divider />
      <WidgetSettingsSection inbox={inbox} />
      <Divider />
      <IdentitySecretSection inbox={inbox} />
    </Stack>
  );
};
