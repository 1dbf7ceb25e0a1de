import { Badge, Button, Checkbox, ColorSwatch, Group, Popover, ScrollArea, Stack, Text } from "@mantine/core";
import type { TConversation } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { updateConversation } from "../../inbox/api/conversations-api";
import { useLabels } from "../../inbox/hooks/use-directory";
import { useConversationMutation } from "../hooks/use-conversation-actions";

/** The conversation's labels, chosen from the workspace's catalogue (the server refuses others). */
export const LabelsPicker = ({ conversation }: { conversation: TConversation }) => {
  const { t } = useTranslation();
  const labels = useLabels();
  const [isOpen, setOpen] = useState(false);
  const [draft, setDraft] = useState<string[]>(conversation.labels);
  const update = useConversationMutation((next: string[]) => updateConversation(conversation.id, { labels: next }));
  const colorOf = (name: string) => labels.data?.items.find((label) => label.name === name)?.color;
  const isChanged = [...draft].sort().join("\u0000") !== [...conversation.labels].sort().join("\u0000");

  return (
    <Group gap={4} wrap="wrap">
      {conversation.labels.map((name) => (
        <Badge key={name} size="sm" variant="dot" color={colorOf(name) ?? "gray"} tt="none" data-testid="conversation-label">
          {name}
        </Badge>
      ))}
      <Popover
        opened={isOpen}
        onChange={setOpen}
        onOpen={() => setDraft(conversation.labels)}
        withinPortal
        position="bottom-start"
        trapFocus
        shadow="md"
      >
        <Popover.Target>
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={() => {
              setDraft(conversation.labels);
              setOpen((open) => !open);
            }}
          >
            {t("conversation.labels.edit")}
          </Button>
        </Popover.Target>
        <Popover.Dropdown w={280}>
          <Stack gap="xs">
            {labels.data && labels.data.items.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t("conversation.labels.none")}
              </Text>
            ) : (
              <Checkbox.Group label={t("conversation.labels.label")} value={draft} onChange={setDraft}>
                <ScrollArea.Autosize mah={220} mt={6}>
                  <Stack gap={6}>
                    {(labels.data?.items ?? []).map((label) => (
                      <Checkbox
                        key={label.id}
                        value={label.name}
                        label={
                          <Group gap={6} wrap="nowrap">
                            <ColorSwatch color={label.color} size={10} withShadow={false} />
                            {label.name}
                          </Group>
                        }
                      />
                    ))}
                  </Stack>
                </ScrollArea.Autosize>
              </Checkbox.Group>
            )}
            <Group justify="flex-end" gap="xs">
              <Button size="xs" variant="default" onClick={() => setOpen(false)}>
                {t("common.cancel")}
              </Button>
              <Button
                size="xs"
                disabled={!isChanged}
                loading={update.isPending}
                onClick={() => update.mutate(draft, { onSuccess: () => setOpen(false) })}
              >
                {t("conversation.labels.save")}
              </Button>
            </Group>
          </Stack>
        </Popover.Dropdown>
      </Popover>
    </Group>
  );
};
