import { ActionIcon, Button, Group, Input, Pill, Select, Stack, Switch, Table, Text, TextInput } from "@mantine/core";
import type { TBusinessHours, TInboxDetail } from "@parley/shared";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useDayName } from "../lib/use-day-name";
import { useNotifySaved } from "../lib/use-notify";
import { useUpdateInbox } from "./inboxes-api";

type Range = { key: number; day: number; start: string; end: string };

const MINUTES_PER_DAY = 24 * 60;
const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;

const toTime = (minutes: number): string => {
  const bounded = minutes % MINUTES_PER_DAY;
  return `${String(Math.floor(bounded / 60)).padStart(2, "0")}:${String(bounded % 60).padStart(2, "0")}`;
};

const toMinutes = (time: string): number => {
  const [hours = "0", minutes = "0"] = time.split(":");
  return Number(hours) * 60 + Number(minutes);
};

/** A range ending at 00:00 ends at midnight, the end of its day (a time box cannot say 24:00). */
const toEndMinute = (time: string): number => {
  const minutes = toMinutes(time);
  return minutes === 0 ? MINUTES_PER_DAY : minutes;
};

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const DEFAULT_WEEK: Omit<Range, "key">[] = [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" }));

let nextKey = 0;
const withKey = (range: Omit<Range, "key">): Range => ({ ...range, key: nextKey++ });

export const useTimeZoneOptions = () =>
  useMemo(() => {
    const zones = Intl.supportedValuesOf("timeZone");
    return zones.includes("UTC") ? zones : ["UTC", ...zones];
  }, []);

/** Weekly opening ranges, holidays and the time zone they are read in. */
export const BusinessHoursForm = ({ inbox }: { inbox: TInboxDetail }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const update = useUpdateInbox(inbox.id);
  const timeZones = useTimeZoneOptions();
  const dayName = useDayName();
  const initial = inbox.businessHours;
  const [isEnabled, setIsEnabled] = useState(initial?.isEnabled ?? false);
  const [timezone, setTimezone] = useState(initial?.timezone ?? browserTimeZone());
  const [ranges, setRanges] = useState<Range[]>(() =>
    initial
      ? initial.weekly.map((range) => withKey({ day: range.day, start: toTime(range.startMinute), end: toTime(range.endMinute) }))
      : DEFAULT_WEEK.map(withKey),
  );
  const [holidays, setHolidays] = useState<string[]>(initial?.holidays ?? []);
  const [holidayDraft, setHolidayDraft] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Readonly<Record<string, string>>>({});
  const [formError, setFormError] = useState<unknown>(null);

  const updateRange = (key: number, changes: Partial<Range>) =>
    setRanges((previous) => previous.map((range) => (range.key === key ? { ...range, ...changes } : range)));

  const errorFor = (prefix: string) =>
    Object.entries(fieldErrors).find(([path]) => path === prefix || path.startsWith(`${prefix}.`))?.[1];

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    setFieldErrors({});
    const businessHours: TBusinessHours = {
      isEnabled,
      timezone,
      weekly: ranges.map((range) => ({ day: range.day, startMinute: toMinutes(range.start), endMinute: toEndMinute(range.end) })),
      holidays,
    };
    update.mutate(
      { businessHours },
      {
        onSuccess: (saved) => notify(t("settings.common.saved"), t("settings.inboxes.savedMessage", { name: saved.name })),
        onError: (error) => {
          const errors = isApiError(error) ? error.fieldErrors : {};
          const known = Object.keys(errors).some((path) => path.startsWith("businessHours."));
          setFieldErrors(errors);
          if (!known) setFormError(error);
        },
      },
    );
  };

  const addHoliday = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(holidayDraft)) return;
    setHolidays((previous) => [...new Set([...previous, holidayDraft])].sort());
    setHolidayDraft("");
  };

  const dayOptions = DAYS.map((day) => ({ value: String(day), label: dayName(day) }));

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md" maw={720}>
        {formError !== null && <FormErrorAlert error={formError} />}
        <Switch
          label={t("settings.inboxes.businessHours.enabled")}
          description={t("settings.inboxes.businessHours.enabledHint")}
          checked={isEnabled}
          onChange={(event) => setIsEnabled(event.currentTarget.checked)}
        />
        <Select
          label={t("settings.inboxes.businessHours.timezone")}
          data={timeZones}
          value={timezone}
          onChange={(value) => value && setTimezone(value)}
          error={errorFor("businessHours.timezone")}
          searchable
          allowDeselect={false}
          maw={360}
        />
        <Input.Wrapper
          label={t("settings.inboxes.businessHours.weekly")}
          description={t("settings.inboxes.businessHours.endOfDay")}
        >
          <Stack gap="xs" mt="xs">
            {ranges.length === 0 && (
              <Text size="sm" c="dimmed">
                {t("settings.inboxes.businessHours.noRanges")}
              </Text>
            )}
            {ranges.length > 0 && (
              <Table withRowBorders={false} verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("settings.inboxes.businessHours.day")}</Table.Th>
                    <Table.Th>{t("settings.inboxes.businessHours.from")}</Table.Th>
                    <Table.Th>{t("settings.inboxes.businessHours.to")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {ranges.map((range, index) => {
                    const error = errorFor(`businessHours.weekly.${index}`);
                    const dayLabel = dayName(range.day);
                    return (
                      <Table.Tr key={range.key} data-testid="business-hours-range">
                        <Table.Td>
                          <Select
                            aria-label={t("settings.inboxes.businessHours.day")}
                            data={dayOptions}
                            value={String(range.day)}
                            onChange={(value) => value !== null && updateRange(range.key, { day: Number(value) })}
                            allowDeselect={false}
                            error={error}
                          />
                        </Table.Td>
                        <Table.Td>
                          <TextInput
                            type="time"
                            aria-label={`${dayLabel} ${t("settings.inboxes.businessHours.from")}`}
                            value={range.start}
                            onChange={(event) => updateRange(range.key, { start: event.currentTarget.value })}
                          />
                        </Table.Td>
                        <Table.Td>
                          <TextInput
                            type="time"
                            aria-label={`${dayLabel} ${t("settings.inboxes.businessHours.to")}`}
                            value={range.end}
                            onChange={(event) => updateRange(range.key, { end: event.currentTarget.value })}
                          />
                        </Table.Td>
                        <Table.Td>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={t("settings.inboxes.businessHours.removeRange")}
                            onClick={() => setRanges((previous) => previous.filter((item) => item.key !== range.key))}
                          >
                            ×
                          </ActionIcon>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            )}
            <Group>
              <Button
                variant="default"
                size="xs"
                onClick={() => setRanges((previous) => [...previous, withKey({ day: 1, start: "09:00", end: "17:00" })])}
              >
                {t("settings.inboxes.businessHours.addRange")}
              </Button>
            </Group>
          </Stack>
        </Input.Wrapper>
        <Input.Wrapper
          label={t("settings.inboxes.businessHours.holidays")}
          description={t("settings.inboxes.businessHours.holidaysHint")}
          error={errorFor("businessHours.holidays")}
        >
          <Stack gap="xs" mt="xs">
            <Group gap="xs">
              {holidays.length === 0 && (
                <Text size="sm" c="dimmed">
                  {t("settings.inboxes.businessHours.noHolidays")}
                </Text>
              )}
              {holidays.map((date) => (
                <Pill
                  key={date}
                  withRemoveButton
                  onRemove={() => setHolidays((previous) => previous.filter((item) => item !== date))}
                  removeButtonProps={{ "aria-label": t("settings.inboxes.businessHours.removeHoliday", { date }) }}
                  dir="ltr"
                >
                  {date}
                </Pill>
              ))}
            </Group>
            <Group gap="xs" align="flex-end">
              <TextInput
                type="date"
                aria-label={t("settings.inboxes.businessHours.holidayDate")}
                value={holidayDraft}
                onChange={(event) => setHolidayDraft(event.currentTarget.value)}
              />
              <Button variant="default" onClick={addHoliday} disabled={holidayDraft === ""}>
                {t("settings.inboxes.businessHours.addHoliday")}
              </Button>
            </Group>
          </Stack>
        </Input.Wrapper>
        <Group>
          <Button type="submit" loading={update.isPending}>
            {t("settings.common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};
