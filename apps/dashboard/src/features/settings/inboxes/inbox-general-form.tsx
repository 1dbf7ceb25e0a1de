import { Button, Checkbox, Group, NumberInput, Select, Stack, Switch, Textarea, TextInput } from "@mantine/core";
import { AUTO_ASSIGNMENT_STRATEGIES, type TInboxDetail, type TUpdateInboxRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { useTeams } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useUpdateInbox } from "./inboxes-api";

type Strategy = (typeof AUTO_ASSIGNMENT_STRATEGIES)[number];
const isStrategy = (value: string | null): value is Strategy => AUTO_ASSIGNMENT_STRATEGIES.some((strategy) => strategy === value);

const FIELDS = [
  "name",
  "greetingEnabled",
  "greetingMessage",
  "awayMessage",
  "isCsatEnabled",
  "autoAssignment",
  "autoAssignment.teamId",
  "autoAssignment.strategy",
  "maxConcurrentPerAgent",
  "autoCloseMinutes",
] as const;

/** An empty number box means "no limit" / "never", which the API spells null. */
const toNullableNumber = (value: string | number): number | null => (typeof value === "number" ? value : null);

export const InboxGeneralForm = ({ inbox }: { inbox: TInboxDetail }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const update = useUpdateInbox(inbox.id);
  const teams = useTeams();
  const errors = useServerErrors(FIELDS);
  const [name, setName] = useState(inbox.name);
  const [greetingEnabled, setGreetingEnabled] = useState(inbox.greetingEnabled);
  const [greetingMessage, setGreetingMessage] = useState(inbox.greetingMessage);
  const [awayMessage, setAwayMessage] = useState(inbox.awayMessage);
  const [isCsatEnabled, setIsCsatEnabled] = useState(inbox.isCsatEnabled);
  const [strategy, setStrategy] = useState<Strategy>(inbox.autoAssignment.strategy);
  const [teamId, setTeamId] = useState<string | null>(inbox.autoAssignment.teamId ?? null);
  const [maxConcurrent, setMaxConcurrent] = useState<string | number>(inbox.maxConcurrentPerAgent ?? "");
  const [autoClose, setAutoClose] = useState<string | number>(inbox.autoCloseMinutes ?? "");

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const changes: TUpdateInboxRequest = {
      name,
      greetingEnabled,
      greetingMessage,
      awayMessage,
      isCsatEnabled,
      autoAssignment: {
        strategy,
        teamId: strategy === "team" ? teamId : null,
        // Skills are edited through the API; keep the ones configured there.
        ...(inbox.autoAssignment.skills ? { skills: inbox.autoAssignment.skills } : {}),
      },
      maxConcurrentPerAgent: toNullableNumber(maxConcurrent),
      autoCloseMinutes: toNullableNumber(autoClose),
    };
    update.mutate(changes, {
      onSuccess: (saved) => {
        errors.reset();
        notify(t("settings.common.saved"), t("settings.inboxes.savedMessage", { name: saved.name }));
      },
      onError: errors.handleError,
    });
  };

  const teamError = errors.fieldErrors["autoAssignment.teamId"] ?? errors.fieldErrors.autoAssignment;

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md" maw={640}>
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <TextInput
          label={t("settings.inboxes.name")}
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            errors.clearField("name");
          }}
          error={errors.fieldErrors.name}
          required
          maxLength={80}
        />
        <Switch
          label={t("settings.inboxes.greetingEnabled")}
          checked={greetingEnabled}
          onChange={(event) => setGreetingEnabled(event.currentTarget.checked)}
        />
        <Textarea
          label={t("settings.inboxes.greetingMessage")}
          value={greetingMessage}
          onChange={(event) => {
            setGreetingMessage(event.currentTarget.value);
            errors.clearField("greetingMessage");
          }}
          error={errors.fieldErrors.greetingMessage}
          autosize
          minRows={2}
          maxLength={2000}
          disabled={!greetingEnabled}
        />
        <Textarea
          label={t("settings.inboxes.awayMessage")}
          description={t("settings.inboxes.awayMessageHint")}
          value={awayMessage}
          onChange={(event) => {
            setAwayMessage(event.currentTarget.value);
            errors.clearField("awayMessage");
          }}
          error={errors.fieldErrors.awayMessage}
          autosize
          minRows={2}
          maxLength={2000}
        />
        <Checkbox
          label={t("settings.inboxes.csat")}
          checked={isCsatEnabled}
          onChange={(event) => setIsCsatEnabled(event.currentTarget.checked)}
        />
        <Select
          label={t("settings.inboxes.autoAssignment")}
          data={AUTO_ASSIGNMENT_STRATEGIES.map((value) => ({ value, label: t(`settings.inboxes.strategies.${value}`) }))}
          value={strategy}
          onChange={(value) => {
            if (isStrategy(value)) setStrategy(value);
            errors.clearField("autoAssignment");
          }}
          allowDeselect={false}
          description={strategy === "skills" ? t("settings.inboxes.skillsHint") : undefined}
        />
        {strategy === "team" && (
          <Select
            label={t("settings.inboxes.assignmentTeam")}
            data={(teams.data?.items ?? []).map((team) => ({ value: team.id, label: team.name }))}
            value={teamId}
            onChange={(value) => {
              setTeamId(value);
              errors.clearField("autoAssignment.teamId");
              errors.clearField("autoAssignment");
            }}
            error={teamError}
            searchable
            required
          />
        )}
        <Group grow align="flex-start">
          <NumberInput
            label={t("settings.inboxes.maxConcurrent")}
            description={t("settings.inboxes.maxConcurrentHint")}
            value={maxConcurrent}
            onChange={(value) => {
              setMaxConcurrent(value);
              errors.clearField("maxConcurrentPerAgent");
            }}
            error={errors.fieldErrors.maxConcurrentPerAgent}
            min={1}
            max={1000}
            allowDecimal={false}
          />
          <NumberInput
            label={t("settings.inboxes.autoClose")}
            description={t("settings.inboxes.autoCloseHint")}
            value={autoClose}
            onChange={(value) => {
              setAutoClose(value);
              errors.clearField("autoCloseMinutes");
            }}
            error={errors.fieldErrors.autoCloseMinutes}
            min={5}
            max={525600}
            allowDecimal={false}
          />
        </Group>
        <Group>
          <Button type="submit" loading={update.isPending}>
            {t("settings.common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};
