import { EmptyState, Skeleton, Stack } from "@mantine/core";
import { IconInbox } from "../../../components/icons";

const ROW_KEYS = ["a", "b", "c", "d", "e", "f", "g", "h"] as const;

export const ListSkeleton = ({ rows = 4 }: { rows?: number }) => (
  <Stack gap="sm" aria-busy="true" data-testid="settings-loading">
    <Skeleton height={20} width="40%" />
    {ROW_KEYS.slice(0, rows).map((key) => (
      <Skeleton key={key} height={36} />
    ))}
  </Stack>
);

export const EmptyList = ({ title, description }: { title: string; description: string }) => (
  <EmptyState
    icon={<IconInbox size={28} />}
    withIndicatorBackground
    title={title}
    description={description}
    py="xl"
    data-testid="settings-empty"
  />
);
