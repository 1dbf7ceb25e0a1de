import { Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TConversation } from "@parley/shared";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { requestTranscript } from "../../inbox/api/conversations-api";

/** Mails the public messages, to the contact's address unless another is given. */
export const TranscriptModal = ({
  conversation,
  opened,
  onClose,
}: {
  conversation: TConversation;
  opened: boolean;
  onClose: () => void;
}) => {
  const { t } = useTranslation();
  const [email, setEmail] = useState(conversation.contact.email ?? "");
  const send = useMutation({
    mutationFn: () => requestTranscript(conversation.id, email.trim() || undefined),
    onSuccess: (queued) => {
      notifications.show({ color: "teal", message: t("conversation.transcript.queued", { email: queued.email }) });
      onClose();
    },
  });
  const fieldError = isApiError(send.error) ? send.error.fieldErrors.email : undefined;
  return (
    <Modal opened={opened} onClose={onClose} title={t("conversation.transcript.title")} centered>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t("conversation.transcript.body")}
        </Text>
        <TextInput
          type="email"
          label={t("conversation.transcript.email")}
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={fieldError}
          required={conversation.contact.email === null}
          data-autofocus
        />
        {send.isError && !fieldError && <FormErrorAlert error={send.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button
            onClick={() => send.mutate()}
            loading={send.isPending}
            disabled={email.trim() === "" && conversation.contact.email === null}
          >
            {t("conversation.transcript.send")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
};
