import { Alert, Anchor, Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { ZLoginCodeRequest, ZLoginCodeVerifyRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { twoFactorChallengeOf } from "../api/auth-api";
import { useRequestLoginCode, useVerifyLoginCode } from "../hooks/use-account-mutations";
import { SsoRequiredAlert } from "./sso-required-alert";

const REQUEST_FIELDS = ["email"] as const;
const VERIFY_FIELDS = ["code"] as const;

type Props = {
  initialEmail: string;
  onEmailChange: (email: string) => void;
  onTwoFactorRequired: (challengeToken: string) => void;
};

/** Passwordless sign-in: a 6-digit code is mailed to the address, then typed back here. */
export const LoginCodeSignIn = ({ initialEmail, onEmailChange, onTwoFactorRequired }: Props) => {
  const { t } = useTranslation();
  const requestCode = useRequestLoginCode();
  const verifyCode = useVerifyLoginCode();
  const form = useFormFields({ email: initialEmail, code: "" });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [notice, setNotice] = useState<"resent" | "tooManyAttempts" | null>(null);
  const [formError, setFormError] = useState<unknown>(null);
  const [isSsoRequired, setIsSsoRequired] = useState(false);
  const emailProps = form.fieldProps("email");

  const sendCode = (email: string, onSent: () => void) => {
    setFormError(null);
    requestCode.mutate(
      { email },
      {
        onSuccess: onSent,
        onError: (error) => {
          const fromServer = isApiError(error) ? pickFieldErrors(REQUEST_FIELDS, error.fieldErrors) : undefined;
          if (fromServer) form.setErrors(fromServer.errors);
          if (!fromServer?.isComplete) setFormError(error);
        },
      },
    );
  };

  const handleRequest = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setNotice(null);
    const parsed = ZLoginCodeRequest.safeParse({ email: form.values.email });
    if (!parsed.success) {
      form.setErrors({ email: t("validation.emailInvalid") });
      return;
    }
    sendCode(parsed.data.email, () => setSentTo(parsed.data.email));
  };

  const handleVerify = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (sentTo === null) return;
    setFormError(null);
    setNotice(null);
    setIsSsoRequired(false);
    const parsed = ZLoginCodeVerifyRequest.safeParse({ email: sentTo, code: form.values.code.replace(/\s/g, "") });
    if (!parsed.success) {
      form.setErrors({ code: t("validation.loginCodeInvalid") });
      return;
    }
    verifyCode.mutate(parsed.data, {
      // On success the session guard sees the new session and leaves the login page.
      onError: (error) => {
        const challenge = twoFactorChallengeOf(error);
        if (challenge) {
          onTwoFactorRequired(challenge);
          return;
        }
        if (!isApiError(error)) {
          setFormError(error);
          return;
        }
        switch (error.code) {
          case "invalid_code":
            form.setErrors({ code: t("auth.loginCode.invalidCode") });
            return;
          case "too_many_attempts":
            // The code is burnt: only a new one can work, so the form goes back to asking for it.
            setSentTo(null);
            setNotice("tooManyAttempts");
            return;
          case "sso_required":
            setIsSsoRequired(true);
            return;
        }
        const fromServer = pickFieldErrors(VERIFY_FIELDS, error.fieldErrors);
        form.setErrors(fromServer.errors);
        if (!fromServer.isComplete) setFormError(error);
      },
    });
  };

  if (sentTo === null) {
    return (
      <form onSubmit={handleRequest} noValidate>
        <Stack gap="md">
          {notice === "tooManyAttempts" ? (
            <Alert color="yellow" role="alert">
              {t("auth.loginCode.tooManyAttempts")}
            </Alert>
          ) : (
            <Text size="sm" c="dimmed">
              {t("auth.loginCode.requestHelp")}
            </Text>
          )}
          {formError !== null && <FormErrorAlert error={formError} />}
          <TextInput
            label={t("auth.loginCode.email")}
            type="email"
            autoComplete="username"
            required
            data-autofocus
            {...emailProps}
            onChange={(event) => {
              emailProps.onChange(event);
              onEmailChange(event.currentTarget.value);
            }}
          />
          <Button type="submit" loading={requestCode.isPending} fullWidth>
            {t("auth.loginCode.send")}
          </Button>
        </Stack>
      </form>
    );
  }

  return (
    <form onSubmit={handleVerify} noValidate>
      <Stack gap="md">
        <Text size="sm" c="dimmed" data-testid="login-code-sent">
          {t("auth.loginCode.sentTo", { email: sentTo })}
        </Text>
        {notice === "resent" && (
          <Alert color="green" role="status">
            {t("auth.loginCode.resent")}
          </Alert>
        )}
        {formError !== null && <FormErrorAlert error={formError} />}
        {isSsoRequired && <SsoRequiredAlert email={sentTo} />}
        <TextInput
          label={t("auth.loginCode.code")}
          autoComplete="one-time-code"
          inputMode="numeric"
          maxLength={12}
          required
          data-autofocus
          {...form.fieldProps("code")}
        />
        <Button type="submit" loading={verifyCode.isPending} fullWidth>
          {t("auth.loginCode.submit")}
        </Button>
        <Group justify="space-between" gap="xs">
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setNotice(null);
              sendCode(sentTo, () => setNotice("resent"));
            }}
            disabled={requestCode.isPending}
          >
            {t("auth.loginCode.resend")}
          </Anchor>
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setSentTo(null);
              setNotice(null);
              setFormError(null);
              setIsSsoRequired(false);
            }}
          >
            {t("auth.loginCode.changeEmail")}
          </Anchor>
        </Group>
      </Stack>
    </form>
  );
};
