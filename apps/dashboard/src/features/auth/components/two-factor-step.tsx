import { Anchor, Button, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useVerifyTwoFactor } from "../hooks/use-auth-mutations";

type Props = {
  challengeToken: string;
  /** Back to the password form, e.g. when the challenge expired. */
  onRestart: () => void;
};

/** The second sign-in step for members with two-factor authentication. */
export const TwoFactorStep = ({ challengeToken, onRestart }: Props) => {
  const { t } = useTranslation();
  const verify = useVerifyTwoFactor();
  const [isBackupCode, setIsBackupCode] = useState(false);
  const [value, setValue] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<unknown>(null);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFieldError(null);
    setFormError(null);
    const entered = value.trim();
    if (!isBackupCode && !/^\d{6}$/.test(entered.replace(/\s/g, ""))) {
      setFieldError(t("auth.twoFactor.codeInvalid"));
      return;
    }
    if (isBackupCode && entered.length === 0) {
      setFieldError(t("auth.twoFactor.backupCodeRequired"));
      return;
    }
    verify.mutate(isBackupCode ? { challengeToken, backupCode: entered } : { challengeToken, code: entered.replace(/\s/g, "") }, {
      // On success the session guard sees the new session and leaves the login page.
      onError: (error) => {
        if (isApiError(error) && error.code === "invalid_code") setFieldError(error.message);
        else setFormError(error);
      },
    });
  };

  const isChallengeDead = isApiError(formError) && (formError.code === "too_many_attempts" || formError.code === "invalid_token");

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {isBackupCode ? t("auth.twoFactor.backupCodeHelp") : t("auth.twoFactor.codeHelp")}
        </Text>
        {formError !== null && <FormErrorAlert error={formError} />}
        <TextInput
          label={isBackupCode ? t("auth.twoFactor.backupCode") : t("auth.twoFactor.code")}
          autoComplete="one-time-code"
          inputMode={isBackupCode ? "text" : "numeric"}
          value={value}
          onChange={(event) => setValue(event.currentTarget.value)}
          error={fieldError}
          required
          data-autofocus
        />
        {isChallengeDead ? (
          <Button onClick={onRestart} fullWidth>
            {t("auth.twoFactor.restart")}
          </Button>
        ) : (
          <Button type="submit" loading={verify.isPending} fullWidth>
            {t("auth.twoFactor.submit")}
          </Button>
        )}
        <Anchor
          component="button"
          type="button"
          size="sm"
          onClick={() => {
            setIsBackupCode((current) => !current);
            setValue("");
            setFieldError(null);
          }}
        >
          {isBackupCode ? t("auth.twoFactor.useAuthenticator") : t("auth.twoFactor.useBackupCode")}
        </Anchor>
      </Stack>
    </form>
  );
};
