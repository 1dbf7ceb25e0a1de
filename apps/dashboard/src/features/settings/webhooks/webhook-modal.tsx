import { Button, Checkbox, Group, Modal, SimpleGrid, Stack, Switch, TextInput } from "@mantine/core";
import { type TWebhook, type TWebhookEvent, WEBHOOK_EVENTS } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ModalForm } from "../components/modal-form";
import { ShownOnceSecret } from "../components/shown-once-secret";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useCreateWebhook, useUpdateWebhook } from "./webhooks-api";

const FIELDS = ["url", "events", "isEnabled"] as const;
const isWebhookEvent = (value: string): value is TWebhookEvent => WEBHOOK_EVENTS.some((event) => event === value);

const WebhookForm = ({
  webhook,
  onDone,
  onCreated,
}: {
  webhook: TWebhook | null;
  onDone: () => void;
  onCreated: (secret: string) => void;
}) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const errors = useServerErrors(FIELDS);
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [events, setEvents] = useState<TWebhookEvent[]>(webhook?.events ?? ["conversation.created", "message.created"]);
  const [isEnabled, setIsEnabled] = useState(webhook?.isEnabled ?? true);
  const isPending = create.isPending || update.isPending;

  const handleSubmit = () => {
    if (webhook) {
      update.mutate(
        { id: webhook.id, changes: { url, events, isEnabled } },
        {
          onSuccess: () => {
            notify(t("settings.webhooks.savedMessage"));
            onDone();
          },
          onError: errors.handleError,
        },
      );
      return;
    }
    create.mutate(
      { url, events },
      {
        onSuccess: (created) => {
          notify(t("settings.webhooks.created"));
          onCreated(created.secret);
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <ModalForm
      onSubmit={handleSubmit}
      onCancel={onDone}
      formError={errors.formError}
      isPending={isPending}
      submitLabel={webhook ? t("settings.common.save") : t("settings.common.create")}
    >
      <TextInput
        type="url"
        label={t("settings.webhooks.url")}
        description={t("settings.webhooks.urlHint")}
        placeholder="https://example.com/parley-webhook"
        value={url}
        onChange={(event) => {
          setUrl(event.currentTarget.value);
          errors.clearField("url");
        }}
        error={errors.fieldErrors.url}
        required
        dir="ltr"
        data-autofocus
      />
      <Checkbox.Group
        label={t("settings.webhooks.events")}
        value={events}
        onChange={(values) => {
          setEvents(values.filter(isWebhookEvent));
          errors.clearField("events");
        }}
        error={errors.fieldErrors.events}
        required
      >
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
          {WEBHOOK_EVENTS.map((name) => (
            <Checkbox
              key={name}
              value={name}
              label={name}
              styles={{ label: { fontFamily: "var(--mantine-font-family-monospace)" } }}
            />
          ))}
        </SimpleGrid>
      </Checkbox.Group>
      {webhook && (
        <Switch
          label={t("settings.webhooks.enabled")}
          checked={isEnabled}
          onChange={(event) => setIsEnabled(event.currentTarget.checked)}
        />
      )}
    </ModalForm>
  );
};

/** After creating, the dialog shows the signing secret this once instead of the form. */
export const WebhookModal = ({ webhook, onClose }: { webhook: TWebhook | null | undefined; onClose: () => void }) => {
  const { t } = useTranslation();
  const [secret, setSecret] = useState<string | null>(null);
  const close = () => {
    setSecret(null);
    onClose();
  };
  return (
    <Modal
      opened={webhook !== undefined}
      onClose={close}
      title={webhook ? t("settings.webhooks.editTitle") : t("settings.webhooks.createTitle")}
      size="lg"
      centered
    >
      {secret !== null ? (
        <Stack gap="md">
          <ShownOnceSecret label={t("settings.webhooks.secretTitle")} value={secret} testId="webhook-secret" />
          <Group justify="flex-end">
            <Button onClick={close}>{t("settings.common.done")}</Button>
          </Group>
        </Stack>
      ) : (
        webhook !== undefined && <WebhookForm key={webhook?.id ?? "new"} webhook={webhook} onDone={close} onCreated={setSecret} />
      )}
    </Modal>
  );
};
