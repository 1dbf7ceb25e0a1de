import { Card, Stack, Table } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ListPagination, usePagedItems } from "./client-pagination";
import { EmptyList, ListSkeleton } from "./list-states";

/** One column of a settings table: its heading and what each row shows under it. */
export type SettingsColumn<Item> = {
  header: string;
  cell: (item: Item) => ReactNode;
  /** Caps the column's width, for long values (URLs, event names). */
  maw?: number;
};

type SettingsTableProps<Item extends { id: string }> = {
  /** The list's query; its loading, failed and empty states are shown in place of the table. */
  query: UseQueryResult<{ items: Item[] }>;
  /** The table's accessible name. */
  label: string;
  empty: { title: string; description: string };
  columns: readonly SettingsColumn<Item>[];
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth: number;
  rowTestId?: string;
  /** Controls above the list that change what it holds (a search box). */
  toolbar?: ReactNode;
};

/**
 * A whole list the API returns in one answer (inboxes, teams, labels…), in a card under its
 * toolbar: a skeleton while it loads, the error with a retry, an empty state, or the table paged
 * on screen.
 */
export const SettingsTable = <Item extends { id: string }>({
  query,
  label,
  empty,
  columns,
  minWidth,
  rowTestId,
  toolbar,
}: SettingsTableProps<Item>) => {
  const { t } = useTranslation();
  const items = query.data?.items ?? [];
  const paged = usePagedItems(items);
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="md">
        {toolbar}
        {query.isPending && <ListSkeleton />}
        {query.isError && (
          <QueryErrorAlert
            title={t("settings.common.loadFailed")}
            error={query.error}
            onRetry={() => void query.refetch()}
            isRetrying={query.isFetching}
          />
        )}
        {query.isSuccess && items.length === 0 && <EmptyList title={empty.title} description={empty.description} />}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={minWidth}>
            <Table verticalSpacing="sm" highlightOnHover aria-label={label}>
              <Table.Thead>
                <Table.Tr>
                  {columns.map((column) => (
                    <Table.Th key={column.header}>{column.header}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {paged.pageItems.map((item) => (
                  <Table.Tr key={item.id} data-testid={rowTestId}>
                    {columns.map((column) => (
                      <Table.Td key={column.header} maw={column.maw}>
                        {column.cell(item)}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
      </Stack>
    </Card>
  );
};
