import { ActionIcon, Badge, Button, Group, Menu, NavLink, Skeleton, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TSavedView, TUpdateSavedViewRequest } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { ConfirmModal } from "../../settings/components/confirm-modal";
import type { ConversationListParams } from "../api/conversations-api";
import { useDeleteSavedView, useSavedViewCounts, useSavedViews, useUpdateSavedView } from "../hooks/use-saved-views";
import { DEFAULT_VIEW, type InboxView, viewToSegment } from "../lib/inbox-views";
import { IconBookmark, IconDots, IconUsers } from "./nav-icons";
import { SavedViewModal, type SavedViewModalTarget } from "./saved-view-modal";

type ChangeNotice = "inbox.savedViews.updated" | "inbox.savedViews.sharedNotice" | "inbox.savedViews.unsharedNotice";

type Props = {
  activeView: InboxView;
  /** What the list shows right now, for "update with current filters". */
  currentParams: ConversationListParams | null;
};

const SavedViewsSkeleton = () => (
  <Stack gap={6} px="sm" py={4} aria-busy="true" data-testid="saved-views-loading">
    <Skeleton height={14} width="70%" />
    <Skeleton height={14} width="50%" />
  </Stack>
);

/** The "Saved views" part of the views pane: the member's own views and the workspace's shared ones, with live counts. */
export const SavedViewsSection = ({ activeView, currentParams }: Props) => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const canManageShared = useHasPermission()("views.manage_shared");
  const views = useSavedViews();
  const counts = useSavedViewCounts();
  const describeError = useErrorMessage();
  const update = useUpdateSavedView();
  const remove = useDeleteSavedView();
  const [renaming, setRenaming] = useState<SavedViewModalTarget | null>(null);
  const [deleting, setDeleting] = useState<TSavedView | null>(null);
  const activeSegment = viewToSegment(activeView);

  const canEdit = (view: TSavedView) => (view.shared ? canManageShared : view.mine);

  const change = (view: TSavedView, changes: TUpdateSavedViewRequest, notice: ChangeNotice) =>
    update.mutate(
      { id: view.id, changes },
      {
        onSuccess: (saved) => notifications.show({ color: "teal", message: t(notice, { name: saved.name }) }),
        onError: (error) =>
          notifications.show({ color: "red", title: t("inbox.savedViews.changeFailed"), message: describeError(error) }),
      },
    );

  const items = views.data?.items ?? [];
  return (
    <>
      {views.isPending && <SavedViewsSkeleton />}
      {views.isError && (
        <Stack gap={4} px="sm" py={4} align="flex-start" role="alert">
          <Text size="xs" c="red">
            {t("inbox.savedViews.loadFailed")}
          </Text>
          <Button size="compact-xs" variant="subtle" onClick={() => void views.refetch()} loading={views.isRefetching}>
            {t("common.retry")}
          </Button>
        </Stack>
      )}
      {views.isSuccess && items.length === 0 && (
        <Text size="xs" c="dimmed" px="sm" py={4} data-testid="saved-views-empty">
          {t("inbox.savedViews.empty")}
        </Text>
      )}
      {items.map((view) => {
        const segment = viewToSegment({ kind: "saved", id: view.id });
        const isActive = segment === activeSegment;
        const count = counts.data?.[view.id];
        return (
          <Group key={view.id} gap={0} wrap="nowrap" data-testid="saved-view" data-view-name={view.name}>
            <NavLink
              component={Link}
              to={`/inbox/${segment}`}
              label={view.name}
              active={isActive}
              aria-current={isActive ? "page" : undefined}
              leftSection={
                view.shared ? (
                  <Tooltip
                    label={
                      view.ownerName ? t("inbox.savedViews.sharedBy", { name: view.ownerName }) : t("inbox.savedViews.shared")
                    }
                  >
                    <span role="img" aria-label={t("inbox.savedViews.shared")} style={{ display: "inline-flex" }}>
                      <IconUsers size={14} />
                    </span>
                  </Tooltip>
                ) : (
                  <IconBookmark size={14} />
                )
              }
              rightSection={
                count !== undefined && count > 0 ? (
                  <Badge
                    size="sm"
                    variant={isActive ? "filled" : "light"}
                    circle={count < 10}
                    data-testid={`view-count-${segment}`}
                  >
                    {count}
                  </Badge>
                ) : undefined
              }
              py={6}
              style={{ flex: 1, minWidth: 0 }}
            />
            {canEdit(view) && (
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size="sm"
                    aria-label={t("inbox.savedViews.menu", { name: view.name })}
                  >
                    <IconDots size={14} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setRenaming({ kind: "rename", view })}>{t("inbox.savedViews.rename")}</Menu.Item>
                  <Menu.Item
                    disabled={currentParams === null}
                    onClick={() =>
                      currentParams &&
                      change(view, { filter: currentParams.filter, sort: currentParams.sort }, "inbox.savedViews.updated")
                    }
                  >
                    {t("inbox.savedViews.updateFilters")}
                  </Menu.Item>
                  {canManageShared && (
                    <Menu.Item
                      onClick={() =>
                        change(
                          view,
                          { shared: !view.shared },
                          view.shared ? "inbox.savedViews.unsharedNotice" : "inbox.savedViews.sharedNotice",
                        )
                      }
                    >
                      {view.shared ? t("inbox.savedViews.unshare") : t("inbox.savedViews.share")}
                    </Menu.Item>
                  )}
                  <Menu.Divider />
                  <Menu.Item color="red" onClick={() => setDeleting(view)}>
                    {t("inbox.savedViews.delete")}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            )}
          </Group>
        );
      })}
      <SavedViewModal
        target={renaming}
        onClose={() => setRenaming(null)}
        onSaved={(saved) => notifications.show({ color: "teal", message: t("inbox.savedViews.renamed", { name: saved.name }) })}
      />
      <ConfirmModal
        opened={deleting !== null}
        title={t("inbox.savedViews.deleteTitle", { name: deleting?.name ?? "" })}
        body={deleting?.shared ? t("inbox.savedViews.deleteSharedBody") : t("inbox.savedViews.deleteBody")}
        confirmLabel={t("inbox.savedViews.confirmDelete")}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              if (viewToSegment({ kind: "saved", id: deleting.id }) === activeSegment) {
                navigate(`/inbox/${viewToSegment(DEFAULT_VIEW)}`);
              }
              notifications.show({ color: "teal", message: t("inbox.savedViews.deleted") });
              setDeleting(null);
            },
          })
        }
        isPending={remove.isPending}
        error={remove.error}
      />
    </>
  );
};
