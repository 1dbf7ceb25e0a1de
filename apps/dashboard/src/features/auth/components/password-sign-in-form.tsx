import { Anchor, Button, Group, PasswordInput, Stack, TextInput } from "@mantine/core";
import { ZLoginRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { collectIssues, pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { twoFactorChallengeOf } from "../api/auth-api";
import { useLogin } from "../hooks/use-auth-mutations";
import { SsoRequiredAlert } from "./sso-required-alert";

const FIELDS = ["email", "password"] as const;

type Props = {
  initialEmail: string;
  onEmailChange: (email: string) => void;
  onTwoFactorRequired: (challengeToken: string) => void;
};

export const PasswordSignInForm = ({ initialEmail, onEmailChange, onTwoFactorRequired }: Props) => {
  const { t } = useTranslation();
  const login = useLogin();
  const form = useFormFields({ email: initialEmail, password: "" });
  const [formError, setFormError] = useState<unknown>(null);
  const [ssoRequiredFor, setSsoRequiredFor] = useState<string | null>(null);
  const emailProps = form.fieldProps("email");

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    setSsoRequiredFor(null);
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
          onTwoFactorRequired(challenge);
          return;
        }
        if (isApiError(error) && error.code === "sso_required") {
          setSsoRequiredFor(parsed.data.email);
          return;
        }
        const fromServer = isApiError(error) ? pickFieldErrors(FIELDS, error.fieldErrors) : undefined;
        if (fromServer) form.setErrors(fromServer.errors);
        if (!fromServer?.isComplete) setFormError(error);
      },
    });
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {formError !== null && <FormErrorAlert error={formError} />}
        {ssoRequiredFor !== null && <SsoRequiredAlert email={ssoRequiredFor} />}
        <TextInput
          label={t("auth.login.email")}
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
        <Stack gap={4}>
          <PasswordInput
            label={t("auth.login.password")}
            autoComplete="current-password"
            required
            {...form.fieldProps("password")}
          />
          <Group justify="flex-end">
            <Anchor component={Link} to="/forgot-password" size="sm">
              {t("auth.login.forgotPassword")}
            </Anchor>
          </Group>
        </Stack>
        <Button type="submit" loading={login.isPending} fullWidth>
          {t("auth.login.submit")}
        </Button>
      </Stack>
    </form>
  );
};
