import { Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { PASSWORD_MIN_LENGTH, ZSignupRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { collectIssues, pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { useSignup } from "../hooks/use-auth-mutations";
import { AuthLayout } from "./auth-layout";

const FIELDS = ["name", "email", "password", "workspaceName"] as const;
type SignupField = (typeof FIELDS)[number];

export const SignupPage = () => {
  const { t } = useTranslation();
  const signup = useSignup();
  const form = useFormFields({ name: "", email: "", password: "", workspaceName: "" });
  const [formError, setFormError] = useState<unknown>(null);

  const describeMissing = (field: SignupField) => {
    switch (field) {
      case "name":
        return t("validation.nameRequired");
      case "email":
        return t("validation.emailInvalid");
      case "password":
        return t("validation.passwordTooShort", { min: PASSWORD_MIN_LENGTH });
      case "workspaceName":
        return t("validation.workspaceNameRequired");
    }
  };

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZSignupRequest.safeParse(form.values);
    if (!parsed.success) {
      form.setErrors(
        collectIssues(FIELDS, parsed.error.issues, (field, issue) =>
          issue.code === "too_big" ? t("validation.tooLong", { max: Number(issue.maximum) }) : describeMissing(field),
        ),
      );
      return;
    }
    signup.mutate(parsed.data, {
      onError: (error) => {
        if (isApiError(error) && error.code === "email_taken") {
          form.setErrors({ email: t("errors.email_taken") });
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
      pageTitle={t("auth.signup.pageTitle")}
      title={t("auth.signup.title")}
      subtitle={t("auth.signup.subtitle")}
      footer={{ text: t("auth.signup.haveAccount"), linkLabel: t("auth.signup.logInLink"), linkTo: "/login" }}
    >
      <form onSubmit={handleSubmit} noValidate>
        <Stack gap="md">
          {formError !== null && <FormErrorAlert error={formError} />}
          <TextInput label={t("auth.signup.name")} autoComplete="name" required data-autofocus {...form.fieldProps("name")} />
          <TextInput label={t("auth.signup.email")} type="email" autoComplete="email" required {...form.fieldProps("email")} />
          <PasswordInput
            label={t("auth.signup.password")}
            description={t("auth.signup.passwordHint", { min: PASSWORD_MIN_LENGTH })}
            autoComplete="new-password"
            required
            {...form.fieldProps("password")}
          />
          <TextInput
            label={t("auth.signup.workspaceName")}
            description={t("auth.signup.workspaceNameHint")}
            autoComplete="organization"
            required
            {...form.fieldProps("workspaceName")}
          />
          <Button type="submit" loading={signup.isPending} fullWidth mt="xs">
            {t("auth.signup.submit")}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
};
