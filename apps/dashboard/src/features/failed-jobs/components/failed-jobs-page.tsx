import { Button, Card, EmptyState, Group, Skeleton, Stack, Text, Title } from "@mantine/core";
import type { TDeadLetterJob } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IconInbox } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useDeadLetterJobs } from "../hooks/use-dead-letter-jobs";
import { FailedJobsTable } from "./failed-jobs-table";
import { JobDetailsDrawer } from "./job-details-drawer";
import { RetryJobModal } from "./retry-job-modal";

const TableSkeleton = () => (
  <Stack gap="sm" aria-busy="true" data-testid="failed-jobs-loading">
    <Skeleton height={20} width="40%" />
    {[1, 2, 3, 4, 5].map((row) => (
      <Skeleton key={row} height={36} />
    ))}
  </Stack>
);

export const FailedJobsPage = () => {
  const { t } = useTranslation();
  const jobs = useDeadLetterJobs();
  // Ids, not copies: the drawer and modal then show the job as the cache has it after a retry.
  const [detailsJobId, setDetailsJobId] = useState<string | null>(null);
  const [retryJobId, setRetryJobId] = useState<string | null>(null);

  const items: TDeadLetterJob[] = jobs.data?.pages.flatMap((page) => page.items) ?? [];
  const findJob = (id: string | null) => (id === null ? undefined : items.find((job) => job.id === id));

  return (
    <Stack gap="lg">
      <title>{`${t("failedJobs.pageTitle")} · ${t("app.name")}`}</title>
      <Stack gap={4}>
        <Title order={1} fz="h2">
          {t("failedJobs.pageTitle")}
        </Title>
        <Text c="dimmed" maw={720}>
          {t("failedJobs.description")}
        </Text>
      </Stack>
      <Card withBorder radius="md" padding="lg">
        {jobs.isPending && <TableSkeleton />}
        {jobs.isError && !jobs.isFetchNextPageError && (
          <QueryErrorAlert
            title={t("failedJobs.loadFailed")}
            error={jobs.error}
            onRetry={() => void jobs.refetch()}
            isRetrying={jobs.isRefetching}
          />
        )}
        {jobs.isSuccess && items.length === 0 && (
          <EmptyState
            icon={<IconInbox size={28} />}
            withIndicatorBackground
            title={t("failedJobs.empty.title")}
            description={t("failedJobs.empty.description")}
            py="xl"
          />
        )}
        {items.length > 0 && (
          <Stack gap="md">
            <FailedJobsTable
              jobs={items}
              onShowDetails={(job) => setDetailsJobId(job.id)}
              onRetry={(job) => setRetryJobId(job.id)}
            />
            {jobs.isFetchNextPageError && (
              <QueryErrorAlert
                title={t("failedJobs.loadMoreFailed")}
                error={jobs.error}
                onRetry={() => void jobs.fetchNextPage()}
                isRetrying={jobs.isFetchingNextPage}
              />
            )}
            {jobs.hasNextPage && !jobs.isFetchNextPageError && (
              <Group justify="center">
                <Button variant="default" onClick={() => void jobs.fetchNextPage()} loading={jobs.isFetchingNextPage}>
                  {t("failedJobs.loadMore")}
                </Button>
              </Group>
            )}
          </Stack>
        )}
      </Card>
      <JobDetailsDrawer job={findJob(detailsJobId)} onClose={() => setDetailsJobId(null)} />
      <RetryJobModal job={findJob(retryJobId)} onClose={() => setRetryJobId(null)} />
    </Stack>
  );
};
