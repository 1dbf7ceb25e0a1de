import { Modal, MultiSelect, Select, Skeleton, Textarea, TextInput } from "@mantine/core";
import type { TTeam } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { ModalForm } from "../components/modal-form";
import { useActiveMembers } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useSaveTeam, useTeam } from "./teams-api";

const FIELDS = ["name", "description", "leadUserId", "memberIds", "userIds"] as const;

type TeamFormProps = { team: TTeam | null; initialMemberIds: string[]; onDone: () => void };

const TeamForm = ({ team, initialMemberIds, onDone }: TeamFormProps) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const members = useActiveMembers();
  const save = useSaveTeam();
  const errors = useServerErrors(FIELDS);
  const [name, setName] = useState(team?.name ?? "");
  const [description, setDescription] = useState(team?.description ?? "");
  const [leadUserId, setLeadUserId] = useState<string | null>(team?.lead?.id ?? null);
  const [memberIds, setMemberIds] = useState(initialMemberIds);
  const options = (members.data ?? []).map((member) => ({
    value: member.user.id,
    label: `${member.user.name} (${member.user.email})`,
  }));

  const handleSubmit = () => {
    save.mutate(
      { id: team?.id ?? null, input: { name, description, leadUserId, memberIds } },
      {
        onSuccess: (saved) => {
          notify(
            team ? t("settings.common.saved") : t("settings.teams.created"),
            t("settings.teams.savedMessage", { name: saved.name }),
          );
          onDone();
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <ModalForm
      onSubmit={handleSubmit}
      onCancel={onDone}
      formError={errors.formError}
      isPending={save.isPending}
      submitLabel={team ? t("settings.common.save") : t("settings.common.create")}
    >
      {members.isError && (
        <QueryErrorAlert
          title={t("settings.common.loadFailed")}
          error={members.error}
          onRetry={() => void members.refetch()}
          isRetrying={members.isFetching}
        />
      )}
      <TextInput
        label={t("settings.teams.name")}
        value={name}
        onChange={(event) => {
          setName(event.currentTarget.value);
          errors.clearField("name");
        }}
        error={errors.fieldErrors.name}
        required
        maxLength={80}
        data-autofocus
      />
      <Textarea
        label={t("settings.teams.description_label")}
        value={description}
        onChange={(event) => setDescription(event.currentTarget.value)}
        error={errors.fieldErrors.description}
        maxLength={500}
        autosize
        minRows={2}
      />
      <Select
        label={t("settings.teams.lead")}
        description={t("settings.teams.leadHint")}
        placeholder={t("settings.teams.noLead")}
        data={options}
        value={leadUserId}
        onChange={setLeadUserId}
        error={errors.fieldErrors.leadUserId}
        searchable
        clearable
        comboboxProps={{ withinPortal: true }}
      />
      <MultiSelect
        label={t("settings.teams.members")}
        data={options}
        value={memberIds}
        onChange={setMemberIds}
        error={errors.fieldErrors.memberIds ?? errors.fieldErrors.userIds}
        searchable
        comboboxProps={{ withinPortal: true }}
      />
    </ModalForm>
  );
};

/** `team` undefined: closed; null: a new team; a team: edit it (its member list is fetched first). */
export const TeamModal = ({ team, onClose }: { team: TTeam | null | undefined; onClose: () => void }) => {
  const { t } = useTranslation();
  const detail = useTeam(team ? team.id : null);
  const title = team ? t("settings.teams.editTitle", { name: team.name }) : t("settings.teams.createTitle");
  return (
    <Modal opened={team !== undefined} onClose={onClose} title={title} centered size="lg">
      {team === null && <TeamForm team={null} initialMemberIds={[]} onDone={onClose} />}
      {team && detail.isPending && <Skeleton height={240} />}
      {team && detail.isError && (
        <QueryErrorAlert
          title={t("settings.teams.loadFailed")}
          error={detail.error}
          onRetry={() => void detail.refetch()}
          isRetrying={detail.isFetching}
        />
      )}
      {team && detail.data && (
        <TeamForm
          key={detail.data.id}
          team={team}
          initialMemberIds={detail.data.members.map((member) => member.id)}
          onDone={onClose}
        />
      )}
    </Modal>
  );
};
