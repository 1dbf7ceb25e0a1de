import { Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { PASSWORD_MIN_LENGTH, ZAcceptInvitationRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { collectIssues, pickFieldErrors, useFormFields } from "../../../lib/use-form-fields";
import { useAcceptInvitation } from "../hooks/use-invitation";

const FIELDS = ["name", "password"] as const;

type Props = {
  token: string;
  onAccepted: () => void;
  /** The invitation stopped working (accepted elsewhere, revoked, expired). */
  onLinkDead: () => void;
  /** An account for the address appeared meanwhile: the page switches to signing in to it. */
  onAccountExists: () => void;
};

/** Someone new: a name and a password create the account and join the workspace in one step. */
export const NewAccountForm = ({ token, onAccepted, onLinkDead, onAccountExists }: Props) => {
  const { t } = useTranslation();
  const accept = useAcceptInvitation();
  const form = useFormFields({ name: "", password: "" });
  const [formError, setFormError] = useState<unknown>(null);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZAcceptInvitationRequest.safeParse({ token, ...form.values });
    if (!parsed.success) {
      form.setErrors(
        collectIssues(FIELDS, parsed.error.issues, (field, issue) => {
          if (issue.code === "too_big") return t("validation.tooLong", { max: Number(issue.maximum) });
          return field === "name" ? t("validation.nameRequired") : t("validation.passwordTooShort", { min: PASSWORD_MIN_LENGTH });
        }),
      );
      return;
    }
    accept.mutate(parsed.data, {
      onSuccess: onAccepted,
      onError: (error) => {
        if (isApiError(error) && error.code === "invalid_token") {
          onLinkDead();
          return;
        }
        if (isApiError(error) && error.code === "email_taken") {
          onAccountExists();
          return;
        }
        // The workspace's password policy may be stricter than the product floor; the server's verdict lands on the field.
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
        <TextInput label={t("invitation.name")} autoComplete="name" required data-autofocus {...form.fieldProps("name")} />
        <PasswordInput
          label={t("invitation.password")}
          description={t("invitation.passwordHint", { min: PASSWORD_MIN_LENGTH })}
          autoComplete="new-password"
          required
          {...form.fieldProps("password")}
        />
        <Button type="submit" loading={accept.isPending} fullWidth>
          {t("invitation.createAndAccept")}
        </Button>
      </Stack>
    </form>
  );
};
