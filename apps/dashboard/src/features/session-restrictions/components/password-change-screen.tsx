import { Button, PasswordInput, Stack } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ZChangePasswordRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { collectIssues, pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { useChangePassword } from "../hooks/use-session-restriction-mutations";

const FIELDS = ["currentPassword", "newPassword"] as const;

/** The workspace's password expiry has passed: a new password lifts the restriction. */
export const PasswordChangeScreen = () => {
  const { t } = useTranslation();
  const change = useChangePassword();
  const form = useFormFields({ currentPassword: "", newPassword: "" });
  const [formError, setFormError] = useState<unknown>(null);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZChangePasswordRequest.safeParse(form.values);
    if (!parsed.success) {
      form.setErrors(
        collectIssues(FIELDS, parsed.error.issues, (field, issue) => {
          if (issue.code === "too_big") return t("validation.tooLong", { max: PASSWORD_MAX_LENGTH });
          return field === "currentPassword" ? t("validation.currentPasswordRequired") : t("validation.newPasswordRequired");
        }),
      );
      return;
    }
    change.mutate(parsed.data, {
      onSuccess: () =>
        notifications.show({
          color: "green",
          title: t("restrictions.password.doneTitle"),
          message: t("restrictions.password.done"),
        }),
      onError: (error) => {
        // A wrong current password and the policy's verdict on the new one both come back per field.
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
        <PasswordInput
          label={t("restrictions.password.current")}
          autoComplete="current-password"
          required
          data-autofocus
          {...form.fieldProps("currentPassword")}
        />
        <PasswordInput
          label={t("restrictions.password.new")}
          description={t("restrictions.password.newHint", { min: PASSWORD_MIN_LENGTH })}
          autoComplete="new-password"
          required
          {...form.fieldProps("newPassword")}
        />
        <Button type="submit" loading={change.isPending} fullWidth>
          {t("restrictions.password.submit")}
        </Button>
      </Stack>
    </form>
  );
};
