import { Badge } from "@mantine/core";
import type { TDeadLetterJob } from "@parley/shared";
import { useTranslation } from "react-i18next";

export const JobStatusBadge = ({ job }: { job: TDeadLetterJob }) => {
  const { t } = useTranslation();
  return job.retriedAt === null ? (
    <Badge color="red" variant="light" miw="fit-content">
      {t("failedJobs.status.failed")}
    </Badge>
  ) : (
    <Badge color="blue" variant="light" miw="fit-content">
      {t("failedJobs.status.retried")}
    </Badge>
  );
};
