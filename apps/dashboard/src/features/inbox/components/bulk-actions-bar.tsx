import { Alert, Button, Group, Menu, Progress, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { CONVERSATION_PRIORITIES, type TBulkAction, type TBulkProgress } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IconChevronDown } from "../../../components/icons";
import { useErrorMessage } from "../../../lib/use-error-message";
import { conversationKeys, fetchBulkProgress, startBulkOperation } from "../api/conversations-api";
import { useAgents, useLabels } from "../hooks/use-directory";

type Props = { selectedIds: string[]; onClear: () => void };

const isFinished = (progress: TBulkProgress) => progress.status === "done" || progress.status === "failed";
const isAhead = (a: TBulkProgress, b: TBulkProgress) =>
  (isFinished(a) && !isFinished(b)) || (isFinished(a) === isFinished(b) && a.processed + a.failed > b.processed + b.failed);

/** Progress of a running bulk operation: the first answer is fetched, later ones arrive as `bulk.progress` events. */
const BulkProgress = ({ operationId, onDone }: { operationId: string; onDone: () => void }) => {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const progress = useQuery<TBulkProgress>({
    queryKey: conversationKeys.bulk(operationId),
    queryFn: async ({ signal }) => {
      const fetched = await fetchBulkProgress(operationId, signal);
      // An event may have reported a later state while this answer travelled; progress never goes back.
      const cached = queryClient.getQueryData<TBulkProgress>(conversationKeys.bulk(operationId));
      return cached && isAhead(cached, fetched) ? cached : fetched;
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (!progress.data) return <Progress value={0} animated aria-label={t("inbox.bulk.progressLabel")} />;
  const { total, processed, failed, status } = progress.data;
  const isDone = isFinished(progress.data);
  return (
    <Stack gap={4} data-testid="bulk-progress" data-status={status}>
      <Progress
        value={total === 0 ? 100 : (processed / total) * 100}
        animated={!isDone}
        color={failed > 0 || status === "failed" ? "orange" : "blue"}
        aria-label={t("inbox.bulk.progressLabel")}
      />
      <Group justify="space-between" gap="xs">
        <Text size="xs" role="status">
          {isDone ? t("inbox.bulk.finished", { processed, total, failed }) : t("inbox.bulk.running", { processed, total })}
        </Text>
        {isDone && (
          <Button size="compact-xs" variant="subtle" onClick={onDone}>
            {t("common.close")}
          </Button>
        )}
      </Group>
    </Stack>
  );
};

export const BulkActionsBar = ({ selectedIds, onClear }: Props) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const { agents } = useAgents();
  const labels = useLabels();
  const [operationId, setOperationId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: (action: TBulkAction) => startBulkOperation({ action, selection: { ids: selectedIds } }),
    onSuccess: (accepted) => {
      setOperationId(accepted.operationId);
      onClear();
    },
    onError: (error) => notifications.show({ color: "red", title: t("inbox.bulk.failed"), message: describeError(error) }),
  });

  if (operationId !== null) return <BulkProgress operationId={operationId} onDone={() => setOperationId(null)} />;
  if (selectedIds.length === 0) return null;

  const run = (action: TBulkAction) => start.mutate(action);
  return (
    <Alert variant="light" p="xs" data-testid="bulk-bar">
      <Group gap={6} justify="space-between">
        <Text size="xs" fw={600}>
          {t("inbox.bulk.selected", { count: selectedIds.length })}
        </Text>
        <Group gap={4}>
          <Menu withinPortal position="bottom-end">
            <Menu.Target>
              <Button size="compact-xs" loading={start.isPending} rightSection={<IconChevronDown size={12} />}>
                {t("inbox.bulk.actions")}
              </Button>
            </Menu.Target>
            <Menu.Dropdown mah={360} style={{ overflowY: "auto" }}>
              <Menu.Label>{t("inbox.bulk.status")}</Menu.Label>
              <Menu.Item onClick={() => run({ type: "status", status: "resolved" })}>
                {t("conversation.actions.resolve")}
              </Menu.Item>
              <Menu.Item onClick={() => run({ type: "status", status: "open" })}>{t("conversation.actions.reopen")}</Menu.Item>
              <Menu.Item onClick={() => run({ type: "status", status: "closed" })}>{t("conversation.actions.close")}</Menu.Item>
              <Menu.Divider />
              <Menu.Label>{t("inbox.bulk.assign")}</Menu.Label>
              <Menu.Item onClick={() => run({ type: "unassign" })}>{t("conversation.assign.nobody")}</Menu.Item>
              {agents.map((agent) => (
                <Menu.Item key={agent.userId} onClick={() => run({ type: "assign", assigneeId: agent.userId })}>
                  {agent.name}
                </Menu.Item>
              ))}
              <Menu.Divider />
              <Menu.Label>{t("inbox.bulk.priority")}</Menu.Label>
              {CONVERSATION_PRIORITIES.map((priority) => (
                <Menu.Item key={priority} onClick={() => run({ type: "priority", priority })}>
                  {t(`conversation.priority.${priority}`)}
                </Menu.Item>
              ))}
              {(labels.data?.items.length ?? 0) > 0 && <Menu.Divider />}
              {(labels.data?.items.length ?? 0) > 0 && <Menu.Label>{t("inbox.bulk.addLabel")}</Menu.Label>}
              {labels.data?.items.map((label) => (
                <Menu.Item key={label.id} onClick={() => run({ type: "label_add", label: label.name })}>
                  {label.name}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          <Button size="compact-xs" variant="subtle" onClick={onClear}>
            {t("inbox.bulk.clear")}
          </Button>
        </Group>
      </Group>
    </Alert>
  );
};
