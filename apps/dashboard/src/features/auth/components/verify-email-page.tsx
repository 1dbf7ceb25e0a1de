import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { IconAlertTriangle, IconCheck } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useResendEmailVerification, useVerifyEmail } from "../hooks/use-account-mutations";
import { useMe } from "../hooks/use-me";

import { AuthLayout } from "./auth-layout";

/** A way to a fresh link: signed in, it is one click; signed out, the sign-in brings the user back here. */
const ResendVerification = () => {
  const { t } = useTranslation();
  const me = useMe();
  const resend = useResendEmailVerification();

  if (me.isPending) {
    return (
      <Center>
        <Loader size="sm" aria-label={t("common.loading")} />
      </Center>
    );
  }
  if (!me.data) {
    return (
      <Stack gap="sm">
        <Text size="sm">{t("auth.verifyEmail.signInToResend")}</Text>
        <Button component={Link} to={`/login?${new URLSearchParams({ next: "/verify-email" })}`} fullWidth>
          {t("auth.verifyEmail.signIn")}
        </Button>
      </Stack>
    );
  }
  const { email } = me.data.user;
  // `conflict` means the address was confirmed meanwhile (in another tab, or by an emailed sign-in code).
  const isAlreadyVerified = me.data.user.emailVerified || (isApiError(resend.error) && resend.error.code === "conflict");
  if (isAlreadyVerified) {
    return (
      <Stack gap="sm">
        <Text size="sm">{t("auth.verifyEmail.alreadyVerified", { email })}</Text>
        <Button component={Link} to="/" fullWidth>
          {t("auth.verifyEmail.continue")}
        </Button>
      </Stack>
    );
  }
  if (resend.isSuccess) {
    return (
      <Alert color="green" role="status" data-testid="verification-resent">
        {t("auth.verifyEmail.resent", { email })}
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      {resend.isError && <FormErrorAlert error={resend.error} />}
      <Button onClick={() => resend.mutate()} loading={resend.isPending} fullWidth>
        {t("auth.verifyEmail.resend")}
      </Button>
      <Button component={Link} to="/" variant="default" fullWidth>
        {t("auth.verifyEmail.continue")}
      </Button>
    </Stack>
  );
};

/** Where the confirmation email links to: `/verify-email?token=…`; the token is sent once, on arrival. */
export const VerifyEmailPage = () => {
  const { t } = useTranslation();
  const [searchParams] = useSearchParams();
  const token = searchParams.get("token")?.trim() ?? "";
  const me = useMe();
  const verify = useVerifyEmail();
  const { mutate: confirmAddress } = verify;
  // Links are single-use: a second call (React's development double effects) would report the link as used.
  const sentToken = useRef<string | null>(null);

  useEffect(() => {
    if (token.length === 0 || sentToken.current === token) return;
    sentToken.current = token;
    confirmAddress(token);
  }, [token, confirmAddress]);

  const renderBody = () => {
    if (token.length === 0) {
      return (
        <Stack gap="md">
          <Alert color="yellow" icon={<IconAlertTriangle />} role="alert">
            {t("auth.verifyEmail.missingToken")}
          </Alert>
          <ResendVerification />
        </Stack>
      );
    }
    if (verify.isSuccess) {
      return (
        <Stack gap="md">
          <Alert
            color="green"
            icon={<IconCheck />}
            title={t("auth.verifyEmail.doneTitle")}
            role="status"
            data-testid="email-verified"
          >
            {t("auth.verifyEmail.done")}
          </Alert>
          {me.data ? (
            <Button component={Link} to="/" fullWidth>
              {t("auth.verifyEmail.continue")}
            </Button>
          ) : (
            <Button component={Link} to="/login" fullWidth loading={me.isPending}>
              {t("auth.verifyEmail.signIn")}
            </Button>
          )}
        </Stack>
      );
    }
    if (verify.isError) {
      if (isApiError(verify.error) && verify.error.code === "invalid_token") {
        return (
          <Stack gap="md">
            <Alert color="red" icon={<IconAlertTriangle />} title={t("auth.verifyEmail.invalidTitle")} role="alert">
              {t("auth.verifyEmail.invalid")}
            </Alert>
            <ResendVerification />
          </Stack>
        );
      }
      return (
        <QueryErrorAlert
          title={t("auth.verifyEmail.failedTitle")}
          error={verify.error}
          onRetry={() => confirmAddress(token)}
          isRetrying={verify.isPending}
        />
      );
    }
    return (
      <Stack align="center" gap="sm" role="status">
        <Loader />
        <Text size="sm" c="dimmed">
          {t("auth.verifyEmail.verifying")}
        </Text>
      </Stack>
    );
  };

  return (
    <AuthLayout
      pageTitle={t("auth.verifyEmail.pageTitle")}
      title={t("auth.verifyEmail.title")}
      subtitle={t("auth.verifyEmail.subtitle")}
    >
      {renderBody()}
    </AuthLayout>
  );
};
