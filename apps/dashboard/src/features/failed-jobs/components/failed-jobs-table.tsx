import { Button, Code, Group, Table, Text } from "@mantine/core";
import type { TDeadLetterJob } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { JobStatusBadge } from "./job-status-badge";

type FailedJobsTableProps = {
  jobs: readonly TDeadLetterJob[];
  onShowDetails: (job: TDeadLetterJob) => void;
  onRetry: (job: TDeadLetterJob) => void;
};

export const FailedJobsTable = ({ jobs, onShowDetails, onRetry }: FailedJobsTableProps) => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table verticalSpacing="sm" highlightOnHover aria-label={t("failedJobs.tableLabel")}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("failedJobs.columns.task")}</Table.Th>
            <Table.Th>{t("failedJobs.columns.attempts")}</Table.Th>
            <Table.Th>{t("failedJobs.columns.lastError")}</Table.Th>
            <Table.Th>{t("failedJobs.columns.failedAt")}</Table.Th>
            <Table.Th>{t("failedJobs.columns.status")}</Table.Th>
            <Table.Th>{t("failedJobs.columns.actions")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((job) => (
            <Table.Tr key={job.id}>
              <Table.Td>
                <Code dir="ltr">{job.task}</Code>
              </Table.Td>
              <Table.Td>{job.attempts}</Table.Td>
              <Table.Td maw={320}>
                <Text size="sm" dir="ltr" lineClamp={2} title={job.lastError} style={{ wordBreak: "break-word" }}>
                  {job.lastError}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                  {formatDateTime(job.failedAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <JobStatusBadge job={job} />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button size="xs" variant="subtle" onClick={() => onShowDetails(job)}>
                    {t("failedJobs.details")}
                  </Button>
                  {job.retriedAt === null && (
                    <Button size="xs" variant="light" color="orange" onClick={() => onRetry(job)}>
                      {t("failedJobs.retry")}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
};
