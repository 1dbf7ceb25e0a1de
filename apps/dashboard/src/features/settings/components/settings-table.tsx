import { Card, Stack, Table } from "@mantine/core";
import type { InfiniteData, UseInfiniteQueryResult, UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ListPagination, usePagedItems } from "./client-pagination";
import { EmptyList, ListSkeleton } from "./list-states";
import { LoadMore } from "./load-more";

/** One column of a settings table: its heading and what each row shows under it. */
export type SettingsColumn<Item> = {
  header: string;
  cell: (item: Item) => ReactNode;
  /** Caps the column's width, for long values (URLs, event names). */
  maw?: number;
};

/** A list the API returns whole in one answer, paged on screen. */
type WholeListQuery<Item> = UseQueryResult<{ items: Item[] }>;
/** A list the API returns a page at a time behind a cursor, grown with "Load more". */
type CursorPagedQuery<Item> = UseInfiniteQueryResult<InfiniteData<{ items: Item[] }>>;

type SettingsTableProps<Item extends { id: string }> = {
  /** The list's query; its loading, failed and empty states are shown in place of the table. */
  query: WholeListQuery<Item> | CursorPagedQuery<Item>;
  /** The table's accessible name. */
  label: string;
  empty: { title: string; description: string };
  columns: readonly SettingsColumn<Item>[];
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth: number;
  rowTestId?: string;
  /** Controls above the list that change what it holds (a search box). */
  toolbar?: ReactNode;
  /** False when the table already sits in a card or a drawer of its own, which a second frame would only nest. */
  withCard?: boolean;
};

const isCursorPaged = <Item,>(query: WholeListQuery<Item> | CursorPagedQuery<Item>): query is CursorPagedQuery<Item> =>
  "fetchNextPage" in query;

/**
 * A settings list (inboxes, teams, API keys, the audit log…), in a card under its toolbar: a
 * skeleton while it loads, the error with a retry, an empty state, or the table, paged on screen
 * when the API returned it whole, or with "Load more" when it comes a page at a time.
 */
export const SettingsTable = <Item extends { id: string }>({
  query,
  label,
  empty,
  columns,
  minWidth,
  rowTestId,
  toolbar,
  withCard = true,
}: SettingsTableProps<Item>) => {
  const { t } = useTranslation();
  const cursorPaged = isCursorPaged(query);
  const items = (cursorPaged ? query.data?.pages.flatMap((page) => page.items) : query.data?.items) ?? [];
  const paged = usePagedItems(items);
  // A failed next page is told by LoadMore under the rows already shown, not in place of them.
  const isListError = query.isError && !(cursorPaged && query.isFetchNextPageError);
  const list = (
    <Stack gap="md">
      {toolbar}
      {query.isPending && <ListSkeleton />}
      {isListError && (
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
              {(cursorPaged ? items : paged.pageItems).map((item) => (
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
      {cursorPaged ? (
        <LoadMore query={query} />
      ) : (
        <ListPagination page={paged.page} pageCount={paged.pageCount} onChange={paged.setPage} />
      )}
    </Stack>
  );
  if (!withCard) return list;
  return (
    <Card withBorder radius="md" padding="lg">
      {list}
    </Card>
  );
};
