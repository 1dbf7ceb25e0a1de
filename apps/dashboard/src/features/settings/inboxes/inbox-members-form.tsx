import { Button, Group, MultiSelect, Stack, Text, Title } from "@mantine/core";
import type { TInboxDetail } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { useActiveMembers, useTeams } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { useSetInboxMembers, useSetInboxTeams } from "./inboxes-api";

/** Who works the inbox: members one by one, and whole teams. */
export const InboxMembersForm = ({ inbox }: { inbox: TInboxDetail }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const members = useActiveMembers();
  const teams = useTeams();
  const setMembers = useSetInboxMembers(inbox.id);
  const setTeams = useSetInboxTeams(inbox.id);
  const [memberIds, setMemberIds] = useState(() => inbox.members.map((member) => member.id));
  const [teamIds, setTeamIds] = useState(() => inbox.teams.map((team) => team.id));

  // Members already in the inbox stay listed even if the directory has not loaded them (deactivated).
  const memberOptions = new Map(inbox.members.map((member) => [member.id, `${member.name} (${member.email})`]));
  for (const member of members.data ?? []) memberOptions.set(member.user.id, `${member.user.name} (${member.user.email})`);
  const teamOptions = new Map(inbox.teams.map((team) => [team.id, team.name]));
  for (const team of teams.data?.items ?? []) teamOptions.set(team.id, team.name);

  return (
    <Stack gap="xl" maw={640}>
      <Stack gap="sm">
        <Title order={2} fz="h4">
          {t("settings.inboxes.members.title")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.inboxes.members.description")}
        </Text>
        {members.isError && (
          <QueryErrorAlert
            title={t("settings.inboxes.members.loadFailed")}
            error={members.error}
            onRetry={() => void members.refetch()}
            isRetrying={members.isFetching}
          />
        )}
        {setMembers.isError && <FormErrorAlert error={setMembers.error} />}
        <MultiSelect
          label={t("settings.inboxes.members.label")}
          data={[...memberOptions].map(([value, label]) => ({ value, label }))}
          value={memberIds}
          onChange={setMemberIds}
          searchable
          disabled={members.isPending}
        />
        <Group>
          <Button
            onClick={() => setMembers.mutate(memberIds, { onSuccess: () => notify(t("settings.inboxes.members.savedMessage")) })}
            loading={setMembers.isPending}
          >
            {t("settings.inboxes.members.save")}
          </Button>
        </Group>
      </Stack>
      <Stack gap="sm">
        <Title order={2} fz="h4">
          {t("settings.inboxes.members.teamsTitle")}
        </Title>
        {setTeams.isError && <FormErrorAlert error={setTeams.error} />}
        <MultiSelect
          label={t("settings.inboxes.members.teamsLabel")}
          data={[...teamOptions].map(([value, label]) => ({ value, label }))}
          value={teamIds}
          onChange={setTeamIds}
          searchable
          disabled={teams.isPending}
        />
        <Group>
          <Button
            onClick={() => setTeams.mutate(teamIds, { onSuccess: () => notify(t("settings.inboxes.members.teamsSavedMessage")) })}
            loading={setTeams.isPending}
          >
            {t("settings.inboxes.members.saveTeams")}
          </Button>
        </Group>
      </Stack>
    </Stack>
  );
};
