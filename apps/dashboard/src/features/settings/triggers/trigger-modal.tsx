import {
  ActionIcon,
  Button,
  Group,
  Input,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import {
  type TProactiveTrigger,
  TRIGGER_CONDITION_TYPES,
  TRIGGER_FREQUENCIES,
  TRIGGER_OPERATORS,
  type TTriggerAction,
  type TTriggerConditionType,
  type TTriggerOperator,
  ZTriggerAction,
  ZTriggerCondition,
} from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useInboxes } from "../inboxes/inboxes-api";
import { useActiveMembers } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { useSaveTrigger } from "./triggers-api";

type Condition = { id: number; type: TTriggerConditionType; operator: TTriggerOperator; value: string; attribute: string };
type Action = { id: number; action: TTriggerAction };
type Frequency = (typeof TRIGGER_FREQUENCIES)[number];

const NUMERIC_TYPES: readonly TTriggerConditionType[] = ["time_on_page", "time_on_site", "visit_count", "agents_online"];
const ACTION_TYPES = ["greeting", "open_widget", "attention_bubble"] as const;

let nextId = 0;
const newId = () => {
  nextId += 1;
  return nextId;
};

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (value: string | null): value is T =>
    values.some((candidate) => candidate === value);
const isConditionType = oneOf(TRIGGER_CONDITION_TYPES);
const isOperator = oneOf(TRIGGER_OPERATORS);
const isFrequency = oneOf(TRIGGER_FREQUENCIES);
const isActionType = oneOf(ACTION_TYPES);

/** Stored conditions come back loosely typed; each is parsed before it is edited. */
const toConditions = (trigger: TProactiveTrigger | null): Condition[] =>
  (trigger?.conditions ?? []).flatMap((raw) => {
    const parsed = ZTriggerCondition.safeParse(raw);
    if (!parsed.success) return [];
    const { type, operator, value, attribute } = parsed.data;
    return [{ id: newId(), type, operator, value: String(value), attribute: attribute ?? "" }];
  });

const toActions = (trigger: TProactiveTrigger | null): Action[] => {
  const actions = (trigger?.actions ?? []).flatMap((raw) => {
    const parsed = ZTriggerAction.safeParse(raw);
    return parsed.success ? [{ id: newId(), action: parsed.data }] : [];
  });
  return actions.length > 0 ? actions : [{ id: newId(), action: { type: "greeting", text: "", senderType: "bot" } }];
};

/** The condition's value as the API wants it: numbers for counts and times, booleans for business hours. */
const conditionValue = (condition: Condition): string | number | boolean => {
  if (condition.type === "business_hours") return condition.value === "true";
  if (
    NUMERIC_TYPES.includes(condition.type) ||
    ((condition.operator === "gt" || condition.operator === "lt") && condition.value !== "")
  ) {
    const number = Number(condition.value);
    return Number.isFinite(number) ? number : condition.value;
  }
  return condition.value;
};

const blankAction = (type: (typeof ACTION_TYPES)[number]): TTriggerAction =>
  type === "greeting" ? { type, text: "", senderType: "bot" } : type === "attention_bubble" ? { type, text: "" } : { type };

const TriggerForm = ({ trigger, onDone }: { trigger: TProactiveTrigger | null; onDone: () => void }) => {
  const { t } = useTranslation();
  const p = "settings.triggers" as const;
  const notify = useNotifySaved();
  const save = useSaveTrigger();
  const inboxes = useInboxes();
  const members = useActiveMembers();
  const [name, setName] = useState(trigger?.name ?? "");
  const [inboxId, setInboxId] = useState<string | null>(trigger?.inboxId ?? null);
  const [isEnabled, setIsEnabled] = useState(trigger?.isEnabled ?? true);
  const [match, setMatch] = useState<"all" | "any">(trigger?.match ?? "all");
  const [frequency, setFrequency] = useState<Frequency>(trigger?.frequency ?? "once_per_visitor");
  const [conditions, setConditions] = useState<Condition[]>(() => toConditions(trigger));
  const [actions, setActions] = useState<Action[]>(() => toActions(trigger));
  const [fieldErrors, setFieldErrors] = useState<Readonly<Record<string, string>>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const errorFor = (prefix: string) =>
    Object.entries(fieldErrors).find(([path]) => path === prefix || path.startsWith(`${prefix}.`))?.[1];

  const updateCondition = (id: number, changes: Partial<Condition>) =>
    setConditions((previous) => previous.map((condition) => (condition.id === id ? { ...condition, ...changes } : condition)));
  const updateAction = (id: number, action: TTriggerAction) =>
    setActions((previous) => previous.map((item) => (item.id === id ? { ...item, action } : item)));

  const websiteInboxes = (inboxes.data?.items ?? []).filter((inbox) => inbox.type === "website");
  const memberOptions = (members.data ?? []).map((member) => ({ value: member.user.id, label: member.user.name }));

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    setFieldErrors({});
    const input = {
      name,
      inboxId,
      isEnabled,
      match,
      frequency,
      conditions: conditions.map((condition) => ({
        type: condition.type,
        operator: condition.operator,
        value: conditionValue(condition),
        ...(condition.type === "attribute" ? { attribute: condition.attribute } : {}),
      })),
      actions: actions.map((item) => item.action),
    };
    save.mutate(trigger ? { id: trigger.id, input } : { id: null, input }, {
      onSuccess: (saved) => {
        notify(trigger ? t("settings.common.saved") : t(`${p}.created`), t(`${p}.savedMessage`, { name: saved.name }));
        onDone();
      },
      onError: (error) => {
        setFieldErrors(isApiError(error) ? error.fieldErrors : {});
        setFormError(error);
      },
    });
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {formError !== null && <FormErrorAlert error={formError} />}
        <TextInput
          label={t(`${p}.name`)}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errorFor("name")}
          required
          maxLength={100}
          data-autofocus
        />
        <Group grow align="flex-start">
          <Select
            label={t(`${p}.inbox`)}
            data={[
              { value: "", label: t(`${p}.allInboxes`) },
              ...websiteInboxes.map((inbox) => ({ value: inbox.id, label: inbox.name })),
            ]}
            value={inboxId ?? ""}
            onChange={(value) => setInboxId(value || null)}
            error={errorFor("inboxId")}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          <Select
            label={t(`${p}.frequency`)}
            data={TRIGGER_FREQUENCIES.map((value) => ({ value, label: t(`${p}.frequencies.${value}`) }))}
            value={frequency}
            onChange={(value) => isFrequency(value) && setFrequency(value)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
        </Group>
        <Switch label={t(`${p}.enabled`)} checked={isEnabled} onChange={(event) => setIsEnabled(event.currentTarget.checked)} />
        <Input.Wrapper label={t(`${p}.conditions`)} description={t(`${p}.conditionsHint`)} error={errorFor("conditions")}>
          <Stack gap="xs" mt="xs">
            {conditions.length > 1 && (
              <SegmentedControl
                aria-label={t(`${p}.match`)}
                value={match}
                onChange={(value) => setMatch(value === "any" ? "any" : "all")}
                data={(["all", "any"] as const).map((value) => ({ value, label: t(`${p}.matches.${value}`) }))}
                w="fit-content"
              />
            )}
            {conditions.map((condition, index) => (
              <Stack key={condition.id} gap={2}>
                <Group gap="xs" align="flex-end" wrap="wrap">
                  <Select
                    aria-label={t(`${p}.conditionType`)}
                    data={TRIGGER_CONDITION_TYPES.map((value) => ({ value, label: t(`${p}.conditionTypes.${value}`) }))}
                    value={condition.type}
                    onChange={(value) =>
                      isConditionType(value) &&
                      updateCondition(condition.id, {
                        type: value,
                        value: value === "business_hours" ? "true" : "",
                        operator: value === "business_hours" ? "eq" : condition.operator,
                      })
                    }
                    allowDeselect={false}
                    w={190}
                    comboboxProps={{ withinPortal: true }}
                  />
                  {condition.type === "attribute" && (
                    <TextInput
                      aria-label={t(`${p}.attribute`)}
                      placeholder={t(`${p}.attribute`)}
                      value={condition.attribute}
                      onChange={(event) => updateCondition(condition.id, { attribute: event.currentTarget.value })}
                      w={130}
                      dir="ltr"
                    />
                  )}
                  <Select
                    aria-label={t(`${p}.operator`)}
                    data={TRIGGER_OPERATORS.map((value) => ({ value, label: t(`${p}.operators.${value}`) }))}
                    value={condition.operator}
                    onChange={(value) => isOperator(value) && updateCondition(condition.id, { operator: value })}
                    allowDeselect={false}
                    w={150}
                    comboboxProps={{ withinPortal: true }}
                  />
                  {condition.type === "business_hours" ? (
                    <Select
                      aria-label={t(`${p}.value`)}
                      data={[
                        { value: "true", label: t(`${p}.withinHours`) },
                        { value: "false", label: t(`${p}.outsideHours`) },
                      ]}
                      value={condition.value}
                      onChange={(value) => value && updateCondition(condition.id, { value })}
                      allowDeselect={false}
                      w={190}
                      comboboxProps={{ withinPortal: true }}
                    />
                  ) : NUMERIC_TYPES.includes(condition.type) ? (
                    <NumberInput
                      aria-label={t(`${p}.value`)}
                      value={condition.value}
                      onChange={(value) => updateCondition(condition.id, { value: String(value) })}
                      min={0}
                      w={120}
                    />
                  ) : (
                    <TextInput
                      aria-label={t(`${p}.value`)}
                      placeholder={t(`${p}.value`)}
                      value={condition.value}
                      onChange={(event) => updateCondition(condition.id, { value: event.currentTarget.value })}
                      w={200}
                      dir="ltr"
                    />
                  )}
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mb={4}
                    aria-label={t(`${p}.removeCondition`)}
                    onClick={() => setConditions((previous) => previous.filter((item) => item.id !== condition.id))}
                  >
                    ×
                  </ActionIcon>
                </Group>
                {errorFor(`conditions.${index}`) && (
                  <Text size="xs" c="red" role="alert">
                    {errorFor(`conditions.${index}`)}
                  </Text>
                )}
              </Stack>
            ))}
            <Group>
              <Button
                size="xs"
                variant="default"
                onClick={() =>
                  setConditions((previous) => [
                    ...previous,
                    { id: newId(), type: "time_on_page", operator: "gt", value: "30", attribute: "" },
                  ])
                }
              >
                {t(`${p}.addCondition`)}
              </Button>
            </Group>
          </Stack>
        </Input.Wrapper>
        <Input.Wrapper label={t(`${p}.actions`)} error={errorFor("actions")}>
          <Stack gap="xs" mt="xs">
            {actions.map(({ id, action }, index) => (
              <Stack key={id} gap={2}>
                <Group gap="xs" align="flex-end" wrap="wrap">
                  <Select
                    aria-label={t(`${p}.actionType`)}
                    data={ACTION_TYPES.map((value) => ({ value, label: t(`${p}.actionTypes.${value}`) }))}
                    value={action.type}
                    onChange={(value) => isActionType(value) && updateAction(id, blankAction(value))}
                    allowDeselect={false}
                    w={190}
                    comboboxProps={{ withinPortal: true }}
                  />
                  {action.type !== "open_widget" && (
                    <TextInput
                      aria-label={t(`${p}.text`)}
                      placeholder={t(`${p}.text`)}
                      value={action.text}
                      onChange={(event) => updateAction(id, { ...action, text: event.currentTarget.value })}
                      style={{ flex: 1 }}
                      miw={200}
                    />
                  )}
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mb={4}
                    aria-label={t(`${p}.removeAction`)}
                    disabled={actions.length === 1}
                    onClick={() => setActions((previous) => previous.filter((item) => item.id !== id))}
                  >
                    ×
                  </ActionIcon>
                </Group>
                {action.type === "greeting" && (
                  <Group gap="xs" pl="md" align="flex-end">
                    <Select
                      aria-label={t(`${p}.sender`)}
                      data={(["bot", "agent"] as const).map((value) => ({ value, label: t(`${p}.senders.${value}`) }))}
                      value={action.senderType}
                      onChange={(value) => updateAction(id, { ...action, senderType: value === "agent" ? "agent" : "bot" })}
                      allowDeselect={false}
                      w={150}
                      comboboxProps={{ withinPortal: true }}
                    />
                    {action.senderType === "agent" ? (
                      <Select
                        aria-label={t(`${p}.agent`)}
                        placeholder={t(`${p}.agent`)}
                        data={memberOptions}
                        value={action.agentId ?? null}
                        onChange={(value) => updateAction(id, { ...action, agentId: value ?? undefined })}
                        searchable
                        w={220}
                        comboboxProps={{ withinPortal: true }}
                      />
                    ) : (
                      <TextInput
                        aria-label={t(`${p}.botName`)}
                        placeholder={t(`${p}.botName`)}
                        value={action.botName ?? ""}
                        onChange={(event) => updateAction(id, { ...action, botName: event.currentTarget.value || undefined })}
                        w={220}
                      />
                    )}
                  </Group>
                )}
                {errorFor(`actions.${index}`) && (
                  <Text size="xs" c="red" role="alert">
                    {errorFor(`actions.${index}`)}
                  </Text>
                )}
              </Stack>
            ))}
            <Group>
              <Button
                size="xs"
                variant="default"
                disabled={actions.length >= 5}
                onClick={() => setActions((previous) => [...previous, { id: newId(), action: blankAction("open_widget") }])}
              >
                {t(`${p}.addAction`)}
              </Button>
            </Group>
          </Stack>
        </Input.Wrapper>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone} disabled={save.isPending}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {trigger ? t("settings.common.save") : t("settings.common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

export const TriggerModal = ({ trigger, onClose }: { trigger: TProactiveTrigger | null | undefined; onClose: () => void }) => {
  const { t } = useTranslation();
  return (
    <Modal
      opened={trigger !== undefined}
      onClose={onClose}
      title={trigger ? t("settings.triggers.editTitle", { name: trigger.name }) : t("settings.triggers.createTitle")}
      size="xl"
      centered
    >
      {trigger !== undefined && <TriggerForm key={trigger?.id ?? "new"} trigger={trigger} onDone={onClose} />}
    </Modal>
  );
};
