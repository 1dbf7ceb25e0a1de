import { Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { ZLoginRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { collectIssues, pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { twoFactorChallengeOf } from "../api/auth-api";
import { useLogin } from "../hooks/use-auth-mutations";
import { AuthLayout } from "./auth-layout";
import { TwoFactorStep } from "./two-factor-step";

const FIELDS = ["email", "password"] as const;

export const LoginPage = () => {
  const { t } = useTranslation();
  const login = useLogin();
  const form = useFormFields({ email: "", password: "" });
  const [formError, setFormError] = useState<unknown>(null);
  const [challengeToken, setChallengeToken] = useState<string | null>(null);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZLoginRequest.safeParse(form.values);
    if (!parsed.success) {
      form.setErrors(
        collectIssues(FIELDS, parsed.error.issues, (field) =>
          field === "email" ? t("validation.emailInvalid") : t("validation.passwordRequired"),
        ),
      );
      return;
    }
    login.mutate(parsed.data, {
      // On success the session guard sees the new session and leaves this page.
      onError: (error) => {
        const challenge = twoFactorChallengeOf(error);
        if (challenge) {
          setChallengeToken(challenge);
          return;
        }
        const fromServer = isApiError(error) ? pickFieldErrors(FIELDS, error.fieldErrors) : undefined;
        if (fromServer) form.setErrors(fromServer.errors);
        if (!fromServer?.isComplete) setFormError(error);
      },
    });
  };

  return (
    <AuthLayout
      pageTitle={t("auth.login.pageTitle")}
      title={t("auth.login.title")}
      subtitle={t("auth.login.subtitle")}
      footerText={t("auth.login.noAccount")}
      footerLinkLabel={t("auth.login.signUpLink")}
      footerLinkTo="/signup"
    >
      {challengeToken !== null ? (
        <TwoFactorStep challengeToken={challengeToken} onRestart={() => setChallengeToken(null)} />
      ) : (
        <form onSubmit={handleSubmit} noValidate>
          <Stack gap="md">
            {formError !== null && <FormErrorAlert error={formError} />}
            <TextInput
              label={t("auth.login.email")}
              type="email"
              autoComplete="username"
              required
              data-autofocus
              {...form.fieldProps("email")}
            />
            <PasswordInput
              label={t("auth.login.password")}
              autoComplete="current-password"
              required
              {...form.fieldProps("password")}
            />
            <Button type="submit" loading={login.isPending} fullWidth mt="xs">
              {t("auth.login.submit")}
            </Button>
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
};
