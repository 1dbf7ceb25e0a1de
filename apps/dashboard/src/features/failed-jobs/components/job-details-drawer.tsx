import { Code, Drawer, Group, Stack, Text } from "@mantine/core";
import type { TDeadLetterJob } from "@parley/shared";
import { type CSSProperties, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { JobStatusBadge } from "./job-status-badge";

const Field = ({ label, children }: { label: string; children: ReactNode }) => (
  <Stack gap={4}>
    <Text size="xs" fw={700} c="dimmed" tt="uppercase">
      {label}
    </Text>
    {children}
  </Stack>
);

const WRAPPED: CSSProperties = { whiteSpace: "pre-wrap", wordBreak: "break-word" };

const formatPayload = (payload: unknown): string => JSON.stringify(payload, null, 2) ?? "null";

export const JobDetailsDrawer = ({ job, onClose }: { job: TDeadLetterJob | undefined; onClose: () => void }) => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  // The last job stays rendered while the drawer slides closed.
  const [shownJob, setShownJob] = useState(job);
  if (job !== undefined && job !== shownJob) setShownJob(job);
  return (
    <Drawer
      opened={job !== undefined}
      onClose={onClose}
      // Flex-based: "right" is the end side, so the drawer opens on the left in right-to-left languages.
      position="right"
      size="lg"
      title={t("failedJobs.drawer.title")}
    >
      {shownJob && (
        <Stack gap="lg">
          <Field label={t("failedJobs.drawer.task")}>
            <Group gap="sm">
              <Code dir="ltr">{shownJob.task}</Code>
              <JobStatusBadge job={shownJob} />
            </Group>
          </Field>
          <Group gap="xl" align="flex-start">
            <Field label={t("failedJobs.drawer.attempts")}>
              <Text size="sm">{shownJob.attempts}</Text>
            </Field>
            <Field label={t("failedJobs.drawer.failedAt")}>
              <Text size="sm">{formatDateTime(shownJob.failedAt)}</Text>
            </Field>
            <Field label={t("failedJobs.drawer.retriedAt")}>
              <Text size="sm">{shownJob.retriedAt ? formatDateTime(shownJob.retriedAt) : t("failedJobs.drawer.notRetried")}</Text>
            </Field>
          </Group>
          <Field label={t("failedJobs.drawer.error")}>
            <Code block dir="ltr" style={WRAPPED}>
              {shownJob.lastError}
            </Code>
          </Field>
          <Field label={t("failedJobs.drawer.payload")}>
            <Code block dir="ltr" style={WRAPPED}>
              {formatPayload(shownJob.payload)}
            </Code>
          </Field>
        </Stack>
      )}
    </Drawer>
  );
};
