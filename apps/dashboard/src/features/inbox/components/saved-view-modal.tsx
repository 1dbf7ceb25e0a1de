import { Alert, Button, Group, Modal, Stack, Switch, TextInput } from "@mantine/core";
import { SAVED_VIEW_NAME_MAX_LENGTH, type TSavedView } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { IconAlertTriangle } from "../../../components/icons";
import { isApiError } from "../../../lib/api-client";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import type { ConversationListParams } from "../api/conversations-api";
import { useCreateSavedView, useUpdateSavedView } from "../hooks/use-saved-views";

/** Saving the list's current filters as a new view, or renaming an existing one. */
export type SavedViewModalTarget = { kind: "create"; params: ConversationListParams } | { kind: "rename"; view: TSavedView };

const SavedViewForm = ({
  target,
  onDone,
  onSaved,
}: {
  target: SavedViewModalTarget;
  onDone: () => void;
  onSaved: (view: TSavedView) => void;
}) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const canShare = useHasPermission()("views.manage_shared");
  const create = useCreateSavedView();
  const update = useUpdateSavedView();
  const [name, setName] = useState(target.kind === "rename" ? target.view.name : "");
  const [isShared, setIsShared] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const isPending = create.isPending || update.isPending;

  const handleError = (error: unknown) => {
    if (isApiError(error) && error.code === "view_name_taken") return setNameError(t("inbox.savedViews.nameTaken"));
    if (isApiError(error) && error.code === "view_limit_reached") return setFormError(t("inbox.savedViews.limitReached"));
    // Any other problem with the name (the server's checks match the field's) goes under the field.
    if (isApiError(error) && error.fieldErrors.name !== undefined) return setNameError(describeError(error));
    setFormError(describeError(error));
  };

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    if (name.trim() === "") return setNameError(t("inbox.savedViews.nameRequired"));
    const callbacks = { onSuccess: onSaved, onError: handleError };
    if (target.kind === "rename") update.mutate({ id: target.view.id, changes: { name } }, callbacks);
    else create.mutate({ name, filter: target.params.filter, sort: target.params.sort, shared: isShared }, callbacks);
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {formError !== null && (
          <Alert color="red" icon={<IconAlertTriangle />} role="alert">
            {formError}
          </Alert>
        )}
        <TextInput
          label={t("inbox.savedViews.name")}
          placeholder={t("inbox.savedViews.namePlaceholder")}
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            setNameError(null);
          }}
          error={nameError}
          required
          maxLength={SAVED_VIEW_NAME_MAX_LENGTH}
          data-autofocus
          data-testid="saved-view-name"
        />
        {target.kind === "create" && canShare && (
          <Switch
            label={t("inbox.savedViews.shareSwitch")}
            description={t("inbox.savedViews.shareHint")}
            checked={isShared}
            onChange={(event) => setIsShared(event.currentTarget.checked)}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone} disabled={isPending}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={isPending} data-testid="saved-view-submit">
            {target.kind === "create" ? t("inbox.savedViews.save") : t("inbox.savedViews.saveRename")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

export const SavedViewModal = ({
  target,
  onClose,
  onSaved,
}: {
  target: SavedViewModalTarget | null;
  onClose: () => void;
  onSaved: (view: TSavedView) => void;
}) => {
  const { t } = useTranslation();
  return (
    <Modal
      opened={target !== null}
      onClose={onClose}
      title={target?.kind === "rename" ? t("inbox.savedViews.renameTitle") : t("inbox.savedViews.createTitle")}
      centered
    >
      {target !== null && (
        <SavedViewForm
          key={target.kind === "rename" ? target.view.id : "new"}
          target={target}
          onDone={onClose}
          onSaved={(view) => {
            onSaved(view);
            onClose();
          }}
        />
      )}
    </Modal>
  );
};
