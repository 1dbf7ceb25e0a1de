import { Button, Group, Modal, Select, Stack, Textarea } from "@mantine/core";
import type { TConversation } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { assignConversation } from "../../inbox/api/conversations-api";
import { useAgents, useTeams } from "../../inbox/hooks/use-directory";
import { useConversationMutation } from "../hooks/use-conversation-actions";

const NOBODY = "__nobody__";

type Props = { conversation: TConversation; opened: boolean; onClose: () => void };

/** Assign or transfer to an agent and/or a team; a reason is kept in the assignment history. */
export const AssignModal = ({ conversation, opened, onClose }: Props) => {
  const { t } = useTranslation();
  const { agents } = useAgents();
  const teams = useTeams();
  const [assigneeId, setAssigneeId] = useState<string>(conversation.assigneeId ?? NOBODY);
  const [teamId, setTeamId] = useState<string>(conversation.teamId ?? NOBODY);
  const [reason, setReason] = useState("");
  const assign = useConversationMutation(
    (body: Parameters<typeof assignConversation>[1]) => assignConversation(conversation.id, body),
    { successMessage: () => t("conversation.assign.done") },
  );

  const submit = () => {
    const nextAssignee = assigneeId === NOBODY ? null : assigneeId;
    const nextTeam = teamId === NOBODY ? null : teamId;
    assign.mutate(
      {
        ...(nextAssignee !== conversation.assigneeId ? { assigneeId: nextAssignee } : {}),
        ...(nextTeam !== conversation.teamId ? { teamId: nextTeam } : {}),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      },
      { onSuccess: onClose },
    );
  };
  const isUnchanged =
    (assigneeId === NOBODY ? null : assigneeId) === conversation.assigneeId &&
    (teamId === NOBODY ? null : teamId) === conversation.teamId;

  return (
    <Modal opened={opened} onClose={onClose} title={t("conversation.assign.title", { number: conversation.number })} centered>
      <Stack gap="sm">
        <Select
          label={t("conversation.assign.agent")}
          data={[
            { value: NOBODY, label: t("conversation.assign.nobody") },
            ...agents.map((agent) => ({ value: agent.userId, label: `${agent.name} · ${t(`presence.status.${agent.status}`)}` })),
          ]}
          value={assigneeId}
          onChange={(value) => setAssigneeId(value ?? NOBODY)}
          searchable
          allowDeselect={false}
        />
        <Select
          label={t("conversation.assign.team")}
          data={[
            { value: NOBODY, label: t("conversation.assign.noTeam") },
            ...(teams.data?.items ?? []).map((team) => ({ value: team.id, label: team.name })),
          ]}
          value={teamId}
          onChange={(value) => setTeamId(value ?? NOBODY)}
          searchable
          allowDeselect={false}
        />
        <Textarea
          label={t("conversation.assign.reason")}
          description={t("conversation.assign.reasonHint")}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          maxLength={500}
          autosize
          minRows={2}
        />
        {assign.isError && <FormErrorAlert error={assign.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button onClick={submit} loading={assign.isPending} disabled={isUnchanged}>
            {t("conversation.assign.submit")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
};
