import { ActionIcon, Popover, SimpleGrid, Tooltip, UnstyledButton } from "@mantine/core";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { IconSmile } from "../../inbox/components/nav-icons";

/** The emoji agents reach for most; a full catalogue would outweigh the rest of the inbox. */
export const EMOJI = [
  "👍",
  "👎",
  "❤️",
  "😂",
  "😊",
  "😍",
  "🙏",
  "👏",
  "🎉",
  "🔥",
  "😮",
  "😢",
  "😡",
  "🤔",
  "🙌",
  "✅",
  "❌",
  "⚠️",
  "💡",
  "⭐",
  "👋",
  "🤝",
  "💪",
  "😉",
  "😅",
  "🙂",
  "😀",
  "😎",
  "🥳",
  "😴",
  "🚀",
  "📦",
  "💳",
  "📞",
  "📧",
  "🕒",
  "📍",
  "🛒",
  "🎁",
  "☕",
] as const;

type Props = { onPick: (emoji: string) => void; label: string; icon?: ReactNode; size?: "xs" | "sm" | "md" };

export const EmojiPicker = ({ onPick, label, icon = <IconSmile />, size = "sm" }: Props) => {
  const { t } = useTranslation();
  const [isOpen, setOpen] = useState(false);
  return (
    <Popover opened={isOpen} onChange={setOpen} position="top" withinPortal shadow="md" trapFocus>
      <Popover.Target>
        <Tooltip label={label}>
          <ActionIcon variant="subtle" color="gray" size={size} aria-label={label} onClick={() => setOpen((open) => !open)}>
            {icon}
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown p={6}>
        <SimpleGrid cols={10} spacing={2} role="group" aria-label={t("conversation.emoji.label")}>
          {EMOJI.map((emoji) => (
            <UnstyledButton
              key={emoji}
              onClick={() => {
                onPick(emoji);
                setOpen(false);
              }}
              aria-label={emoji}
              fz="lg"
              px={4}
              style={{ borderRadius: 4, textAlign: "center" }}
            >
              {emoji}
            </UnstyledButton>
          ))}
        </SimpleGrid>
      </Popover.Dropdown>
    </Popover>
  );
};
