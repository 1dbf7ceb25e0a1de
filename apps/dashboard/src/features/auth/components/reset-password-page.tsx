import { Alert, Button, PasswordInput, Stack } from "@mantine/core";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ZPasswordResetRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { IconAlertTriangle, IconCheck } from "../../../components/icons";
import { isApiError } from "../../../lib/api-client";
import { pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { useResetPassword } from "../hooks/use-account-mutations";
import { AuthLayout } from "./auth-layout";

const FIELDS = ["password"] as const;

const InvalidLink = ({ isMissing }: { isMissing: boolean }) => {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <Alert color="red" icon={<IconAlertTriangle />} title={t("auth.resetPassword.invalidTitle")} role="alert">
        {isMissing ? t("auth.resetPassword.missingToken") : t("auth.resetPassword.invalid")}
      </Alert>
      <Button component={Link} to="/forgot-password" fullWidth>
        {t("auth.resetPassword.requestNew")}
      </Button>
    </Stack>
  );
};

/** Where the reset email links to: `/reset-password?token=…`. */
export const ResetPasswordPage = () => {
  const { t } = useTranslation();
  const [searchParams] = useSearchParams();
  const token = searchParams.get("token")?.trim() ?? "";
  const reset = useResetPassword();
  const form = useFormFields({ password: "" });
  const [formError, setFormError] = useState<unknown>(null);
  const [isLinkDead, setIsLinkDead] = useState(false);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZPasswordResetRequest.safeParse({ token, password: form.values.password });
    if (!parsed.success) {
      form.setErrors({
        password:
          form.values.password.length === 0
            ? t("validation.newPasswordRequired")
            : t("validation.tooLong", { max: PASSWORD_MAX_LENGTH }),
      });
      return;
    }
    reset.mutate(parsed.data, {
      onError: (error) => {
        if (isApiError(error) && error.code === "invalid_token") {
          setIsLinkDead(true);
          return;
        }
        // The workspace's policy (length, common passwords, reuse) is checked by the server and lands on the field.
        const fromServer = isApiError(error) ? pickFieldErrors(FIELDS, error.fieldErrors) : undefined;
        if (fromServer) form.setErrors(fromServer.errors);
        if (!fromServer?.isComplete) setFormError(error);
      },
    });
  };

  const renderBody = () => {
    if (token.length === 0) return <InvalidLink isMissing />;
    if (isLinkDead) return <InvalidLink isMissing={false} />;
    if (reset.isSuccess) {
      return (
        <Stack gap="md">
          <Alert
            color="green"
            icon={<IconCheck />}
            title={t("auth.resetPassword.doneTitle")}
            role="status"
            data-testid="password-reset-done"
          >
            {t("auth.resetPassword.done")}
          </Alert>
          <Button component={Link} to="/login" fullWidth>
            {t("auth.resetPassword.signIn")}
          </Button>
        </Stack>
      );
    }
    return (
      <form onSubmit={handleSubmit} noValidate>
        <Stack gap="md">
          {formError !== null && <FormErrorAlert error={formError} />}
          <PasswordInput
            label={t("auth.resetPassword.password")}
            description={t("auth.resetPassword.passwordHint", { min: PASSWORD_MIN_LENGTH })}
            autoComplete="new-password"
            required
            data-autofocus
            {...form.fieldProps("password")}
          />
          <Button type="submit" loading={reset.isPending} fullWidth>
            {t("auth.resetPassword.submit")}
          </Button>
        </Stack>
      </form>
    );
  };

  return (
    <AuthLayout
      pageTitle={t("auth.resetPassword.pageTitle")}
      title={t("auth.resetPassword.title")}
      subtitle={t("auth.resetPassword.subtitle")}
    >
      {renderBody()}
    </AuthLayout>
  );
};
