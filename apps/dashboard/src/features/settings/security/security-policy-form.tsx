import { Button, Divider, Group, NumberInput, Stack, Switch, Text, Textarea, Title } from "@mantine/core";
import type { TSecuritySettings, TUpdateSecuritySettingsRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useUpdateSecuritySettings } from "./security-api";

const FIELDS = [
  "requireTwoFactor",
  "sessionIdleMinutes",
  "sessionAbsoluteHours",
  "ipAllowlist",
  "passwordMinLength",
  "passwordExpiryDays",
  "passwordHistoryCount",
  "anonymousVisitorRetentionDays",
] as const;

const toNullableNumber = (value: string | number): number | null => (typeof value === "number" ? value : null);

export const SecurityPolicyForm = ({ settings }: { settings: TSecuritySettings }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const update = useUpdateSecuritySettings();
  const errors = useServerErrors(FIELDS);
  const [requireTwoFactor, setRequireTwoFactor] = useState(settings.requireTwoFactor);
  const [idle, setIdle] = useState<string | number>(settings.sessionIdleMinutes ?? "");
  const [absolute, setAbsolute] = useState<string | number>(settings.sessionAbsoluteHours ?? "");
  const [minLength, setMinLength] = useState<string | number>(settings.passwordMinLength);
  const [expiry, setExpiry] = useState<string | number>(settings.passwordExpiryDays ?? "");
  const [history, setHistory] = useState<string | number>(settings.passwordHistoryCount);
  const [allowlist, setAllowlist] = useState(settings.ipAllowlist.join("\n"));
  const [visitorRetention, setVisitorRetention] = useState<string | number>(settings.anonymousVisitorRetentionDays ?? "");
  // Server problems about one allowlist entry arrive as ipAllowlist.<index>.
  const [allowlistError, setAllowlistError] = useState<string | undefined>(undefined);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setAllowlistError(undefined);
    const changes: TUpdateSecuritySettingsRequest = {
      requireTwoFactor,
      sessionIdleMinutes: toNullableNumber(idle),
      sessionAbsoluteHours: toNullableNumber(absolute),
      passwordMinLength: typeof minLength === "number" ? minLength : settings.passwordMinLength,
      passwordExpiryDays: toNullableNumber(expiry),
      passwordHistoryCount: typeof history === "number" ? history : 0,
      anonymousVisitorRetentionDays: toNullableNumber(visitorRetention),
      ipAllowlist: allowlist
        .split(/[\n,]+/)
        .map((entry) => entry.trim())
        .filter(Boolean),
    };
    update.mutate(changes, {
      onSuccess: (saved) => {
        errors.reset();
        setAllowlist(saved.ipAllowlist.join("\n"));
        notify(t("settings.common.saved"), t("settings.security.savedMessage"));
      },
      onError: (error) => {
        errors.handleError(error);
        const entryProblem = isApiError(error)
          ? Object.entries(error.fieldErrors).find(([path]) => path.startsWith("ipAllowlist"))
          : undefined;
        if (entryProblem) setAllowlistError(entryProblem[1]);
      },
    });
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md" maw={640}>
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <Title order={2} fz="h4">
          {t("settings.security.policyTitle")}
        </Title>
        <Switch
          label={t("settings.security.requireTwoFactor")}
          description={t("settings.security.requireTwoFactorHint")}
          checked={requireTwoFactor}
          onChange={(event) => setRequireTwoFactor(event.currentTarget.checked)}
        />
        <Group grow align="flex-start">
          <NumberInput
            label={t("settings.security.sessionIdleMinutes")}
            description={t("settings.security.sessionIdleHint")}
            value={idle}
            onChange={setIdle}
            error={errors.fieldErrors.sessionIdleMinutes}
            min={5}
            max={43200}
            allowDecimal={false}
          />
          <NumberInput
            label={t("settings.security.sessionAbsoluteHours")}
            description={t("settings.security.sessionAbsoluteHint")}
            value={absolute}
            onChange={setAbsolute}
            error={errors.fieldErrors.sessionAbsoluteHours}
            min={1}
            max={8760}
            allowDecimal={false}
          />
        </Group>
        <Divider />
        <Title order={2} fz="h4">
          {t("settings.security.passwordTitle")}
        </Title>
        <Group grow align="flex-start">
          <NumberInput
            label={t("settings.security.passwordMinLength")}
            value={minLength}
            onChange={setMinLength}
            error={errors.fieldErrors.passwordMinLength}
            min={8}
            max={128}
            allowDecimal={false}
          />
          <NumberInput
            label={t("settings.security.passwordExpiryDays")}
            description={t("settings.security.passwordExpiryHint")}
            value={expiry}
            onChange={setExpiry}
            error={errors.fieldErrors.passwordExpiryDays}
            min={1}
            max={3650}
            allowDecimal={false}
          />
          <NumberInput
            label={t("settings.security.passwordHistoryCount")}
            value={history}
            onChange={setHistory}
            error={errors.fieldErrors.passwordHistoryCount}
            min={0}
            max={24}
            allowDecimal={false}
          />
        </Group>
        <Divider />
        <Title order={2} fz="h4">
          {t("settings.security.ipTitle")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.security.ipDescription")}
        </Text>
        <Textarea
          label={t("settings.security.ipAllowlist")}
          description={t("settings.security.ipAllowlistHint")}
          value={allowlist}
          onChange={(event) => {
            setAllowlist(event.currentTarget.value);
            setAllowlistError(undefined);
            errors.clearField("ipAllowlist");
          }}
          error={allowlistError ?? errors.fieldErrors.ipAllowlist}
          autosize
          minRows={3}
          dir="ltr"
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        />
        <Divider />
        <Title order={2} fz="h4">
          {t("settings.security.retentionTitle")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.security.retentionDescription")}
        </Text>
        <NumberInput
          label={t("settings.security.visitorRetentionDays")}
          description={t("settings.security.visitorRetentionHint")}
          value={visitorRetention}
          onChange={setVisitorRetention}
          error={errors.fieldErrors.anonymousVisitorRetentionDays}
          min={1}
          max={3650}
          allowDecimal={false}
          maw={320}
        />
        <Group>
          <Button type="submit" loading={update.isPending}>
            {t("settings.common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};
