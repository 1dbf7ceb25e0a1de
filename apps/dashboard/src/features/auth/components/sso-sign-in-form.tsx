import { Button, Stack, Text, TextInput } from "@mantine/core";
import { ZSsoDiscoverRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { isNoSsoForDomain, useContinueWithSso } from "../hooks/use-continue-with-sso";

const FIELDS = ["email"] as const;

type Props = { initialEmail: string; onEmailChange: (email: string) => void };

export const SsoSignInForm = ({ initialEmail, onEmailChange }: Props) => {
  const { t } = useTranslation();
  const sso = useContinueWithSso();
  const form = useFormFields({ email: initialEmail });
  const [formError, setFormError] = useState<unknown>(null);
  const emailProps = form.fieldProps("email");

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZSsoDiscoverRequest.safeParse(form.values);
    if (!parsed.success) {
      form.setErrors({ email: t("validation.emailInvalid") });
      return;
    }
    sso.start(parsed.data.email, (error) => {
      if (isNoSsoForDomain(error)) {
        form.setErrors({ email: t("auth.sso.noConnection") });
        return;
      }
      const fromServer = isApiError(error) ? pickFieldErrors(FIELDS, error.fieldErrors) : undefined;
      if (fromServer) form.setErrors(fromServer.errors);
      if (!fromServer?.isComplete) setFormError(error);
    });
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {t("auth.sso.help")}
        </Text>
        {formError !== null && <FormErrorAlert error={formError} />}
        <TextInput
          label={t("auth.sso.email")}
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
        <Button type="submit" loading={sso.isPending} fullWidth>
          {t("auth.sso.submit")}
        </Button>
      </Stack>
    </form>
  );
};
