import { Card, Skeleton, Stack } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { SettingsPage } from "../components/settings-page";
import { useSecuritySettings } from "./security-api";
import { SecurityPolicyForm } from "./security-policy-form";
import { SsoConnectionsPanel } from "./sso-connections-panel";

export const SecurityPage = () => {
  const { t } = useTranslation();
  const settings = useSecuritySettings();
  return (
    <SettingsPage title={t("settings.security.pageTitle")} description={t("settings.security.description")}>
      <Card withBorder radius="md" padding="lg">
        {settings.isPending && (
          <Stack gap="sm" aria-busy="true">
            <Skeleton height={24} width="40%" />
            <Skeleton height={120} />
          </Stack>
        )}
        {settings.isError && (
          <QueryErrorAlert
            title={t("settings.security.loadFailed")}
            error={settings.error}
            onRetry={() => void settings.refetch()}
            isRetrying={settings.isFetching}
          />
        )}
        {settings.data && <SecurityPolicyForm settings={settings.data} />}
      </Card>
      <Card withBorder radius="md" padding="lg">
        <SsoConnectionsPanel />
      </Card>
    </SettingsPage>
  );
};
