import { Modal, MultiSelect, Select, TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ModalForm } from "../components/modal-form";
import { useRoles, useTeams } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useInvite } from "./members-api";
import { useRoleOptions } from "./role-options";

const FIELDS = ["email", "roleId", "teamIds"] as const;

export const InviteMemberModal = ({ opened, onClose }: { opened: boolean; onClose: () => void }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const invite = useInvite();
  const roles = useRoles(opened);
  const teams = useTeams(opened);
  const roleOptions = useRoleOptions(roles.data?.items);
  const errors = useServerErrors(FIELDS);
  const [email, setEmail] = useState("");
  const [roleId, setRoleId] = useState<string | null>(null);
  const [teamIds, setTeamIds] = useState<string[]>([]);

  // The agent role is the usual choice for a new teammate.
  const defaultRoleId = roles.data?.items.find((role) => role.key === "agent")?.id ?? null;
  const chosenRoleId = roleId ?? defaultRoleId;

  const close = () => {
    errors.reset();
    setEmail("");
    setRoleId(null);
    setTeamIds([]);
    onClose();
  };

  const handleSubmit = () => {
    invite.mutate(
      { email, roleId: chosenRoleId ?? "", teamIds },
      {
        onSuccess: (invitation) => {
          notify(t("settings.members.invited"), t("settings.members.invitedMessage", { email: invitation.email }));
          close();
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title={t("settings.members.inviteTitle")} centered>
      <ModalForm
        onSubmit={handleSubmit}
        onCancel={close}
        formError={errors.formError}
        isPending={invite.isPending}
        submitLabel={t("settings.members.send")}
      >
        <TextInput
          type="email"
          label={t("settings.members.email")}
          value={email}
          onChange={(event) => {
            setEmail(event.currentTarget.value);
            errors.clearField("email");
          }}
          error={errors.fieldErrors.email}
          required
          data-autofocus
          dir="ltr"
        />
        <Select
          label={t("settings.members.role")}
          data={roleOptions}
          value={chosenRoleId}
          onChange={(value) => {
            setRoleId(value);
            errors.clearField("roleId");
          }}
          error={errors.fieldErrors.roleId}
          allowDeselect={false}
          required
          comboboxProps={{ withinPortal: true }}
        />
        <MultiSelect
          label={t("settings.members.teams")}
          description={t("settings.members.teamsHint")}
          data={(teams.data?.items ?? []).map((team) => ({ value: team.id, label: team.name }))}
          value={teamIds}
          onChange={setTeamIds}
          error={errors.fieldErrors.teamIds}
          searchable
          comboboxProps={{ withinPortal: true }}
        />
      </ModalForm>
    </Modal>
  );
};
