import { Alert, Button, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorMessage } from "../../../lib/use-error-message";
import { isNoSsoForDomain, useContinueWithSso } from "../hooks/use-continue-with-sso";

/** A password or emailed-code sign-in answered `sso_required`: the way on is the organisation's identity provider. */
export const SsoRequiredAlert = ({ email }: { email: string }) => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const sso = useContinueWithSso();
  const [problem, setProblem] = useState<string | null>(null);

  const handleContinue = () => {
    setProblem(null);
    sso.start(email, (error) => setProblem(isNoSsoForDomain(error) ? t("auth.sso.noConnection") : describeError(error)));
  };

  return (
    <Alert color="blue" title={t("auth.login.ssoRequiredTitle")} data-testid="sso-required">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{t("auth.login.ssoRequiredBody")}</Text>
        {problem !== null && (
          <Text size="sm" c="red" role="alert">
            {problem}
          </Text>
        )}
        <Button onClick={handleContinue} loading={sso.isPending}>
          {t("auth.login.useSso")}
        </Button>
      </Stack>
    </Alert>
  );
};
