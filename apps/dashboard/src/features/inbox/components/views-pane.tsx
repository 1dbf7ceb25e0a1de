import { Badge, Box, ColorSwatch, NavLink, ScrollArea, Stack, Text } from "@mantine/core";
import { CONVERSATION_VIEWS } from "@parley/shared";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { ConversationListParams } from "../api/conversations-api";
import { useConversationCounts } from "../hooks/use-conversation-list";
import { useInboxes, useLabels, useTeams } from "../hooks/use-directory";
import { type InboxView, viewToSegment } from "../lib/inbox-views";
import { ChannelIcon } from "./channel-icon";
import classes from "./inbox.module.css";
import { SavedViewsSection } from "./saved-views-section";

const Section = ({ title, children }: { title: string; children: ReactNode }) => (
  <Stack gap={2} component="section" aria-label={title}>
    <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4}>
      {title}
    </Text>
    {children}
  </Stack>
);

const ViewLink = ({
  view,
  active,
  label,
  leftSection,
  count,
}: {
  view: InboxView;
  active: InboxView;
  label: string;
  leftSection?: ReactNode;
  count?: number;
}) => {
  const segment = viewToSegment(view);
  const isActive = segment === viewToSegment(active);
  return (
    <NavLink
      component={Link}
      to={`/inbox/${segment}`}
      label={label}
      leftSection={leftSection}
      active={isActive}
      aria-current={isActive ? "page" : undefined}
      rightSection={
        count !== undefined && count > 0 ? (
          <Badge size="sm" variant={isActive ? "filled" : "light"} circle={count < 10} data-testid={`view-count-${segment}`}>
            {count}
          </Badge>
        ) : undefined
      }
      py={6}
    />
  );
};

export const ViewsPane = ({
  activeView,
  currentParams,
}: {
  activeView: InboxView;
  /** The list's current filter and sort, for updating a saved view with them. */
  currentParams: ConversationListParams | null;
}) => {
  const { t } = useTranslation();
  const counts = useConversationCounts();
  const inboxes = useInboxes();
  const teams = useTeams();
  const labels = useLabels();
  return (
    <Box className={classes.viewsPane} component="nav" aria-label={t("inbox.views.label")}>
      <ScrollArea h="100%">
        <Section title={t("inbox.views.conversations")}>
          {CONVERSATION_VIEWS.map((view) => (
            <ViewLink
              key={view}
              view={{ kind: "view", view }}
              active={activeView}
              label={t(`inbox.views.${view}`)}
              count={counts.data?.[view]}
            />
          ))}
        </Section>
        <Section title={t("inbox.savedViews.title")}>
          <SavedViewsSection activeView={activeView} currentParams={currentParams} />
        </Section>
        {(inboxes.data?.items.length ?? 0) > 0 && (
          <Section title={t("inbox.views.inboxes")}>
            {inboxes.data?.items.map((inbox) => (
              <ViewLink
                key={inbox.id}
                view={{ kind: "inbox", id: inbox.id }}
                active={activeView}
                label={inbox.name}
                leftSection={<ChannelIcon type={inbox.type} label={t(`inbox.channels.${inbox.type}`)} />}
              />
            ))}
          </Section>
        )}
        {(teams.data?.items.length ?? 0) > 0 && (
          <Section title={t("inbox.views.teams")}>
            {teams.data?.items.map((team) => (
              <ViewLink key={team.id} view={{ kind: "team", id: team.id }} active={activeView} label={team.name} />
            ))}
          </Section>
        )}
        {(labels.data?.items.length ?? 0) > 0 && (
          <Section title={t("inbox.views.labels")}>
            {labels.data?.items.map((label) => (
              <ViewLink
                key={label.id}
                view={{ kind: "label", name: label.name }}
                active={activeView}
                label={label.name}
                leftSection={<ColorSwatch color={label.color} size={10} withShadow={false} />}
              />
            ))}
          </Section>
        )}
      </ScrollArea>
    </Box>
  );
};
