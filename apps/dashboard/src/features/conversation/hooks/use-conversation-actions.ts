import { notifications } from "@mantine/notifications";
import type { TConversation } from "@parley/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useSession } from "../../auth/hooks/use-session";
import { applyConversationChange, conversationKeys } from "../../inbox/api/conversations-api";

/**
 * A conversation mutation whose answer (the changed conversation) goes straight into every list
 * and the detail; the socket event that follows finds it already there.
 */
export const useConversationMutation = <Input>(
  mutationFn: (input: Input) => Promise<TConversation>,
  options: { successMessage?: (conversation: TConversation) => string; keepUnread?: boolean } = {},
) => {
  const queryClient = useQueryClient();
  const { user } = useSession();
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  return useMutation({
    mutationFn,
    onSuccess: (conversation) => {
      applyConversationChange(queryClient, conversation, {
        userId: user.id,
        isOpenHere: !options.keepUnread,
        isForViewer: true,
      });
      void queryClient.invalidateQueries({ queryKey: conversationKeys.counts });
      if (options.successMessage) notifications.show({ color: "teal", message: options.successMessage(conversation) });
    },
    onError: (error) =>
      notifications.show({ color: "red", title: t("conversation.actions.failed"), message: describeError(error) }),
  });
};
