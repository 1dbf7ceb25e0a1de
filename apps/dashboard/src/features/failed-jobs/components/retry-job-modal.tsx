import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TDeadLetterJob } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useRetryDeadLetterJob } from "../hooks/use-retry-dead-letter-job";

/** Retrying re-runs side effects, so it is confirmed first. */
export const RetryJobModal = ({ job, onClose }: { job: TDeadLetterJob | undefined; onClose: () => void }) => {
  const { t } = useTranslation();
  const retry = useRetryDeadLetterJob();
  const [error, setError] = useState<unknown>(null);
  // The last job stays rendered while the modal animates closed.
  const [shownJob, setShownJob] = useState(job);
  if (job !== undefined && job !== shownJob) {
    if (job.id !== shownJob?.id) setError(null);
    setShownJob(job);
  }

  const handleConfirm = () => {
    if (!shownJob) return;
    retry.mutate(shownJob.id, {
      onSuccess: (updated) => {
        notifications.show({
          color: "teal",
          title: t("failedJobs.retriedTitle"),
          message: t("failedJobs.retriedMessage", { task: updated.task }),
        });
        onClose();
      },
      onError: (retryError) => {
        if (isApiError(retryError) && retryError.code === "conflict") {
          notifications.show({ color: "yellow", message: t("failedJobs.alreadyRetried") });
          onClose();
          return;
        }
        setError(retryError);
      },
    });
  };

  return (
    <Modal opened={job !== undefined} onClose={onClose} title={t("failedJobs.confirm.title")} centered>
      <Stack gap="md">
        {error !== null && <FormErrorAlert error={error} />}
        <Text size="sm">{t("failedJobs.confirm.body", { task: shownJob?.task ?? "" })}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={retry.isPending}>
            {t("common.cancel")}
          </Button>
          <Button color="orange" onClick={handleConfirm} loading={retry.isPending} data-autofocus>
            {t("failedJobs.confirm.submit")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
};
