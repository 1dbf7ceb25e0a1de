import { Code, Modal, SegmentedControl, Stack, Text, Textarea, TextInput } from "@mantine/core";
import type { TCannedResponse } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { ModalForm } from "../components/modal-form";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useSaveCannedResponse } from "./canned-api";

const FIELDS = ["scope", "shortcut", "content"] as const;
const VARIABLES = ["{{contact.name}}", "{{contact.email}}", "{{agent.name}}", "{{conversation.number}}"] as const;

const CannedForm = ({ response, onDone }: { response: TCannedResponse | null; onDone: () => void }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const save = useSaveCannedResponse();
  const errors = useServerErrors(FIELDS);
  const canShare = useHasPermission()("settings.manage");
  const [scope, setScope] = useState<"personal" | "shared">(response?.scope ?? "personal");
  const [shortcut, setShortcut] = useState(response?.shortcut ?? "");
  const [content, setContent] = useState(response?.content ?? "");

  const handleSubmit = () => {
    save.mutate(
      { id: response?.id ?? null, input: { scope, shortcut, content } },
      {
        onSuccess: (saved) => {
          notify(
            response ? t("settings.common.saved") : t("settings.canned.created"),
            t("settings.canned.savedMessage", { shortcut: saved.shortcut }),
          );
          onDone();
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
      isPending={save.isPending}
      submitLabel={response ? t("settings.common.save") : t("settings.common.create")}
    >
      {response === null && canShare && (
        <Stack gap={4}>
          <Text size="sm" fw={500} id="canned-scope-label">
            {t("settings.canned.scope")}
          </Text>
          <SegmentedControl
            aria-labelledby="canned-scope-label"
            value={scope}
            onChange={(value) => setScope(value === "shared" ? "shared" : "personal")}
            data={(["personal", "shared"] as const).map((value) => ({ value, label: t(`settings.canned.scopes.${value}`) }))}
          />
        </Stack>
      )}
      <TextInput
        label={t("settings.canned.shortcut")}
        description={t("settings.canned.shortcutHint")}
        leftSection="/"
        value={shortcut}
        onChange={(event) => {
          setShortcut(event.currentTarget.value.toLowerCase());
          errors.clearField("shortcut");
        }}
        error={errors.fieldErrors.shortcut}
        required
        maxLength={40}
        dir="ltr"
        data-autofocus
      />
      <Textarea
        label={t("settings.canned.content")}
        description={
          <>
            {t("settings.canned.contentHint")}{" "}
            {VARIABLES.map((variable) => (
              <Code key={variable} mx={2}>
                {variable}
              </Code>
            ))}
          </>
        }
        value={content}
        onChange={(event) => {
          setContent(event.currentTarget.value);
          errors.clearField("content");
        }}
        error={errors.fieldErrors.content}
        required
        autosize
        minRows={4}
        maxLength={10000}
      />
    </ModalForm>
  );
};

export const CannedResponseModal = ({
  response,
  onClose,
}: {
  response: TCannedResponse | null | undefined;
  onClose: () => void;
}) => {
  const { t } = useTranslation();
  return (
    <Modal
      opened={response !== undefined}
      onClose={onClose}
      title={response ? t("settings.canned.editTitle", { shortcut: response.shortcut }) : t("settings.canned.createTitle")}
      size="lg"
      centered
    >
      {response !== undefined && <CannedForm key={response?.id ?? "new"} response={response} onDone={onClose} />}
    </Modal>
  );
};
