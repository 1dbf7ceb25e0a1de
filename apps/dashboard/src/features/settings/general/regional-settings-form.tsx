import { Button, Group, Select, Skeleton, Stack, Text, TextInput, Title } from "@mantine/core";
import {
  DATE_FORMATS,
  TIME_FORMATS,
  type TUpdateWorkspaceSettingsRequest,
  type TWorkspaceSettings,
  ZWorkspaceSettings,
} from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from "../../../i18n/i18n";
import { apiRequest } from "../../../lib/api-client";
import { useTimeZoneOptions } from "../inboxes/business-hours-form";
import { useDayName } from "../lib/use-day-name";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";

const workspaceSettingsQueryKey = ["settings", "workspace-settings"] as const;
const FIELDS = ["logoUrl", "timezone", "defaultLanguage", "dateFormat", "timeFormat", "weekStart"] as const;
type DateFormat = (typeof DATE_FORMATS)[number];
type TimeFormat = (typeof TIME_FORMATS)[number];
const isDateFormat = (value: string | null): value is DateFormat => DATE_FORMATS.some((format) => format === value);
const isTimeFormat = (value: string | null): value is TimeFormat => TIME_FORMATS.some((format) => format === value);

const RegionalForm = ({ settings }: { settings: TWorkspaceSettings }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const queryClient = useQueryClient();
  const timeZones = useTimeZoneOptions();
  const dayName = useDayName();
  const errors = useServerErrors(FIELDS);
  const save = useMutation({
    mutationFn: (changes: TUpdateWorkspaceSettingsRequest) =>
      apiRequest("/workspaces/current/settings", ZWorkspaceSettings, { method: "PATCH", body: changes }),
    onSuccess: (saved) => queryClient.setQueryData(workspaceSettingsQueryKey, saved),
  });
  const [logoUrl, setLogoUrl] = useState(settings.logoUrl ?? "");
  const [timezone, setTimezone] = useState(settings.timezone);
  const [defaultLanguage, setDefaultLanguage] = useState(settings.defaultLanguage);
  // Parley's languages by their own names; a code saved earlier that is not one of them stays choosable.
  const languageOptions = [
    ...LANGUAGES.map((value) => ({ value, label: LANGUAGE_NAMES[value] })),
    ...(isLanguage(settings.defaultLanguage) ? [] : [{ value: settings.defaultLanguage, label: settings.defaultLanguage }]),
  ];
  const [dateFormat, setDateFormat] = useState<DateFormat>(settings.dateFormat);
  const [timeFormat, setTimeFormat] = useState<TimeFormat>(settings.timeFormat);
  const [weekStart, setWeekStart] = useState(settings.weekStart);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate(
      { logoUrl: logoUrl.trim() || null, timezone, defaultLanguage, dateFormat, timeFormat, weekStart },
      {
        onSuccess: () => {
          errors.reset();
          notify(t("settings.common.saved"), t("settings.general.savedMessage"));
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <TextInput
          type="url"
          label={t("settings.general.logoUrl")}
          description={t("settings.general.logoUrlHint")}
          value={logoUrl}
          onChange={(event) => {
            setLogoUrl(event.currentTarget.value);
            errors.clearField("logoUrl");
          }}
          error={errors.fieldErrors.logoUrl}
          dir="ltr"
        />
        <Group grow align="flex-start">
          <Select
            label={t("settings.general.timezone")}
            data={timeZones}
            value={timezone}
            onChange={(value) => value && setTimezone(value)}
            error={errors.fieldErrors.timezone}
            searchable
            allowDeselect={false}
          />
          <Select
            label={t("settings.general.defaultLanguage")}
            data={languageOptions}
            value={defaultLanguage}
            onChange={(value) => {
              if (value === null) return;
              setDefaultLanguage(value);
              errors.clearField("defaultLanguage");
            }}
            error={errors.fieldErrors.defaultLanguage}
            searchable
            allowDeselect={false}
          />
        </Group>
        <Group grow align="flex-start">
          <Select
            label={t("settings.general.dateFormat")}
            data={[...DATE_FORMATS]}
            value={dateFormat}
            onChange={(value) => isDateFormat(value) && setDateFormat(value)}
            allowDeselect={false}
          />
          <Select
            label={t("settings.general.timeFormat")}
            data={TIME_FORMATS.map((value) => ({ value, label: t(`settings.general.timeFormats.${value}`) }))}
            value={timeFormat}
            onChange={(value) => isTimeFormat(value) && setTimeFormat(value)}
            allowDeselect={false}
          />
          <Select
            label={t("settings.general.weekStart")}
            data={[0, 1, 6].map((day) => ({ value: String(day), label: dayName(day) }))}
            value={String(weekStart)}
            onChange={(value) => value !== null && setWeekStart(Number(value))}
            allowDeselect={false}
          />
        </Group>
        <Group>
          <Button type="submit" loading={save.isPending}>
            {t("settings.general.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

/** Time zone, language, formats and logo: the workspace settings beyond its name. */
export const RegionalSettingsSection = () => {
  const { t } = useTranslation();
  const settings = useQuery({
    queryKey: workspaceSettingsQueryKey,
    queryFn: ({ signal }) => apiRequest("/workspaces/current/settings", ZWorkspaceSettings, { signal }),
  });
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Title order={2} fz="h4">
          {t("settings.general.regionalTitle")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.general.regionalDescription")}
        </Text>
      </Stack>
      {settings.isPending && <Skeleton height={160} />}
      {settings.isError && (
        <QueryErrorAlert
          title={t("settings.general.loadFailed")}
          error={settings.error}
          onRetry={() => void settings.refetch()}
          isRetrying={settings.isFetching}
        />
      )}
      {settings.data && <RegionalForm settings={settings.data} />}
    </Stack>
  );
};
