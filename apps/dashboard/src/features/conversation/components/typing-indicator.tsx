import { Box, Paper, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useSneakPeek, useTypingActors } from "../../realtime/lib/live-activity-store";

/** Who is typing here, and the contact's draft as they type it (agents only ever see it). */
export const TypingIndicator = ({
  conversationId,
  myUserId,
  contactName,
}: {
  conversationId: string;
  myUserId: string;
  contactName: string;
}) => {
  const { t } = useTranslation();
  const actors = useTypingActors(conversationId).filter((actor) => actor.type === "contact" || actor.id !== myUserId);
  const sneakPeek = useSneakPeek(conversationId);
  if (actors.length === 0 && sneakPeek === null) return null;
  const names = actors.map((actor) =>
    actor.type === "contact" ? contactName : (actor.name ?? t("conversation.typing.someone")),
  );
  return (
    <Stack gap={4} px="md" py={4} aria-live="polite" data-testid="typing-indicator">
      {sneakPeek !== null && (
        <Paper p="xs" radius="md" withBorder style={{ borderStyle: "dashed", maxWidth: "75%" }} data-testid="sneak-peek">
          <Text size="xs" c="dimmed">
            {t("conversation.typing.sneakPeek", { name: contactName })}
          </Text>
          <Text size="sm" fs="italic" dir="auto" style={{ overflowWrap: "anywhere" }}>
            {sneakPeek}
          </Text>
        </Paper>
      )}
      {names.length > 0 && (
        <Box>
          <Text size="xs" c="dimmed">
            {t("conversation.typing.isTyping", { names: names.join(", "), count: names.length })}
          </Text>
        </Box>
      )}
    </Stack>
  );
};
