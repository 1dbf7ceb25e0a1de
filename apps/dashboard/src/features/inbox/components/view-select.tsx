import { Select } from "@mantine/core";
import { CONVERSATION_VIEWS } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useConversationCounts } from "../hooks/use-conversation-list";
import { useInboxes, useLabels, useTeams } from "../hooks/use-directory";
import { useSavedViewCounts, useSavedViews } from "../hooks/use-saved-views";
import { type InboxView, viewToSegment } from "../lib/inbox-views";

/** The views as one menu, for screens too narrow for the views pane. */
export const ViewSelect = ({ activeView }: { activeView: InboxView }) => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const counts = useConversationCounts();
  const inboxes = useInboxes();
  const teams = useTeams();
  const labels = useLabels();
  const savedViews = useSavedViews();
  const savedCounts = useSavedViewCounts();
  const data = [
    {
      group: t("inbox.views.conversations"),
      items: CONVERSATION_VIEWS.map((view) => ({
        value: view,
        label: counts.data?.[view] ? `${t(`inbox.views.${view}`)} (${counts.data[view]})` : t(`inbox.views.${view}`),
      })),
    },
    {
      group: t("inbox.savedViews.title"),
      items: (savedViews.data?.items ?? []).map((view) => {
        const count = savedCounts.data?.[view.id];
        return { value: viewToSegment({ kind: "saved", id: view.id }), label: count ? `${view.name} (${count})` : view.name };
      }),
    },
    {
      group: t("inbox.views.inboxes"),
      items: (inboxes.data?.items ?? []).map((inbox) => ({
        value: viewToSegment({ kind: "inbox", id: inbox.id }),
        label: inbox.name,
      })),
    },
    {
      group: t("inbox.views.teams"),
      items: (teams.data?.items ?? []).map((team) => ({ value: viewToSegment({ kind: "team", id: team.id }), label: team.name })),
    },
    {
      group: t("inbox.views.labels"),
      items: (labels.data?.items ?? []).map((label) => ({
        value: viewToSegment({ kind: "label", name: label.name }),
        label: label.name,
      })),
    },
  ].filter((group) => group.items.length > 0);
  return (
    <Select
      size="xs"
      aria-label={t("inbox.views.label")}
      data={data}
      value={viewToSegment(activeView)}
      onChange={(value) => value && navigate(`/inbox/${value}`)}
      allowDeselect={false}
      hiddenFrom="xl"
      searchable
    />
  );
};
