import { ActionIcon, Button, Chip, Group, Menu, Select, Stack, Switch, Text, Tooltip } from "@mantine/core";
import { CONVERSATION_PRIORITIES, CONVERSATION_SORTS } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { IconChevronDown } from "../../../components/icons";
import { DEFAULT_LIST_OPTIONS, type ListOptions, STATUS_CHOICES } from "../lib/list-options";
import { IconBookmark } from "./nav-icons";

type Props = {
  options: ListOptions;
  onChange: (options: ListOptions) => void;
  /** Keeps the view and these filters as a saved view; absent while the list cannot be saved. */
  onSaveView?: () => void;
};

export const ListFilters = ({ options, onChange, onSaveView }: Props) => {
  const { t } = useTranslation();
  const activeFilters = (options.priority.length > 0 ? 1 : 0) + (options.isUnreadOnly ? 1 : 0);
  return (
    // Wraps rather than cutting a sort's name short in a narrow list (or a longer language).
    <Group gap={6} wrap="wrap">
      <Select
        size="xs"
        aria-label={t("inbox.filters.status")}
        data={STATUS_CHOICES.map((value) => ({ value, label: t(`inbox.filters.statuses.${value}`) }))}
        value={options.status}
        onChange={(value) => {
          const status = STATUS_CHOICES.find((choice) => choice === value);
          if (status) onChange({ ...options, status });
        }}
        allowDeselect={false}
        style={{ flex: "1 1 120px" }}
        data-testid="status-filter"
      />
      <Select
        size="xs"
        aria-label={t("inbox.filters.sort")}
        data={CONVERSATION_SORTS.map((value) => ({ value, label: t(`inbox.filters.sorts.${value}`) }))}
        value={options.sort}
        onChange={(value) => {
          const sort = CONVERSATION_SORTS.find((choice) => choice === value);
          if (sort) onChange({ ...options, sort });
        }}
        allowDeselect={false}
        style={{ flex: "1 1 120px" }}
      />
      <Menu position="bottom-end" closeOnItemClick={false} withinPortal>
        <Menu.Target>
          <Button
            size="xs"
            px={8}
            variant={activeFilters > 0 ? "light" : "default"}
            rightSection={<IconChevronDown size={12} />}
            style={{ flexShrink: 0 }}
          >
            {activeFilters > 0 ? t("inbox.filters.moreActive", { count: activeFilters }) : t("inbox.filters.more")}
          </Button>
        </Menu.Target>
        <Menu.Dropdown p="sm">
          <Stack gap="sm" maw={260}>
            <Text size="xs" fw={600}>
              {t("inbox.filters.priority")}
            </Text>
            <Chip.Group
              multiple
              value={options.priority}
              onChange={(values) =>
                onChange({ ...options, priority: CONVERSATION_PRIORITIES.filter((priority) => values.includes(priority)) })
              }
            >
              <Group gap={4}>
                {CONVERSATION_PRIORITIES.map((priority) => (
                  <Chip key={priority} value={priority} size="xs">
                    {t(`conversation.priority.${priority}`)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
            <Switch
              size="xs"
              label={t("inbox.filters.unreadOnly")}
              checked={options.isUnreadOnly}
              onChange={(event) => onChange({ ...options, isUnreadOnly: event.currentTarget.checked })}
            />
            <Button size="xs" variant="subtle" onClick={() => onChange(DEFAULT_LIST_OPTIONS)}>
              {t("inbox.filters.reset")}
            </Button>
          </Stack>
        </Menu.Dropdown>
      </Menu>
      {onSaveView && (
        <Tooltip label={t("inbox.savedViews.saveAsView")}>
          <ActionIcon
            variant="default"
            size={30}
            onClick={onSaveView}
            aria-label={t("inbox.savedViews.saveAsView")}
            style={{ flexShrink: 0 }}
            data-testid="save-as-view"
          >
            <IconBookmark size={14} />
          </ActionIcon>
        </Tooltip>
      )}
    </Group>
  );
};
