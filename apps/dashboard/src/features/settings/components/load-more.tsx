import { Button, Group } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";

type InfiniteLike = {
  hasNextPage: boolean;
  isFetchNextPageError: boolean;
  isFetchingNextPage: boolean;
  error: unknown;
  fetchNextPage: () => unknown;
};

/** The end of a cursor-paged list: another page on request, or why it failed. */
export const LoadMore = ({ query }: { query: InfiniteLike }) => {
  const { t } = useTranslation();
  if (query.isFetchNextPageError) {
    return (
      <QueryErrorAlert
        title={t("settings.common.loadMoreFailed")}
        error={query.error}
        onRetry={() => void query.fetchNextPage()}
        isRetrying={query.isFetchingNextPage}
      />
    );
  }
  if (!query.hasNextPage) return null;
  return (
    <Group justify="center">
      <Button variant="default" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
        {t("settings.common.loadMore")}
      </Button>
    </Group>
  );
};
