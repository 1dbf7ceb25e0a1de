import { Group, Pagination } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";

export const PAGE_SIZE = 20;

/**
 * Pages a list the API returns whole (inboxes, teams, labels…): these are small per workspace,
 * so paging on screen keeps long lists readable without another request.
 */
export const usePagedItems = <T,>(items: readonly T[], pageSize = PAGE_SIZE) => {
  const [page, setPage] = useState(1);
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  const current = Math.min(page, pageCount);
  return {
    pageItems: items.slice((current - 1) * pageSize, current * pageSize),
    page: current,
    pageCount,
    setPage,
  };
};

export const ListPagination = ({
  page,
  pageCount,
  onChange,
}: {
  page: number;
  pageCount: number;
  onChange: (page: number) => void;
}) => {
  const { t } = useTranslation();
  if (pageCount <= 1) return null;
  return (
    <Group justify="center">
      <Pagination
        total={pageCount}
        value={page}
        onChange={onChange}
        aria-label={t("settings.common.pagination")}
        getControlProps={(control) => ({
          "aria-label": control === "previous" ? t("settings.common.previousPage") : t("settings.common.nextPage"),
        })}
      />
    </Group>
  );
};
