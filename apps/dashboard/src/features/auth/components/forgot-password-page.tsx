import { Alert, Button, Stack, TextInput } from "@mantine/core";
import { ZPasswordResetStartRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { useRequestPasswordReset } from "../hooks/use-account-mutations";
import { AuthLayout } from "./auth-layout";

const FIELDS = ["email"] as const;

/** Asks for a reset link; the confirmation reads the same whether or not the account exists. */
export const ForgotPasswordPage = () => {
  const { t } = useTranslation();
  const request = useRequestPasswordReset();
  const form = useFormFields({ email: "" });
  const [formError, setFormError] = useState<unknown>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZPasswordResetStartRequest.safeParse(form.values);
    if (!parsed.success) {
      form.setErrors({ email: t("validation.emailInvalid") });
      return;
    }
    request.mutate(parsed.data, {
      onSuccess: () => setSentTo(parsed.data.email),
      onError: (error) => {
        const fromServer = isApiError(error) ? pickFieldErrors(FIELDS, error.fieldErrors) : undefined;
        if (fromServer) form.setErrors(fromServer.errors);
        if (!fromServer?.isComplete) setFormError(error);
      },
    });
  };

  return (
    <AuthLayout
      pageTitle={t("auth.forgotPassword.pageTitle")}
      title={t("auth.forgotPassword.title")}
      subtitle={t("auth.forgotPassword.subtitle")}
      footer={{ text: t("auth.forgotPassword.rememberedIt"), linkLabel: t("auth.forgotPassword.signIn"), linkTo: "/login" }}
    >
      {sentTo !== null ? (
        <Stack gap="md">
          <Alert color="green" title={t("auth.forgotPassword.sentTitle")} role="status" data-testid="reset-link-sent">
            {t("auth.forgotPassword.sent", { email: sentTo })}
          </Alert>
          <Button component={Link} to="/login" variant="default" fullWidth>
            {t("auth.forgotPassword.signIn")}
          </Button>
        </Stack>
      ) : (
        <form onSubmit={handleSubmit} noValidate>
          <Stack gap="md">
            {formError !== null && <FormErrorAlert error={formError} />}
            <TextInput
              label={t("auth.forgotPassword.email")}
              type="email"
              autoComplete="email"
              required
              data-autofocus
              {...form.fieldProps("email")}
            />
            <Button type="submit" loading={request.isPending} fullWidth>
              {t("auth.forgotPassword.submit")}
            </Button>
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
};
