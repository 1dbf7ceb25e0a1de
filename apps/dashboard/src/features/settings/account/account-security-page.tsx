import { Card } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { SettingsPage } from "../components/settings-page";
import { SessionsPanel } from "./sessions-panel";
import { TwoFactorPanel } from "./two-factor-panel";

export const AccountSecurityPage = () => {
  const { t } = useTranslation();
  return (
    <SettingsPage title={t("settings.nav.accountSecurity")}>
      <Card withBorder radius="md" padding="lg">
        <TwoFactorPanel />
      </Card>
      <Card withBorder radius="md" padding="lg">
        <SessionsPanel />
      </Card>
    </SettingsPage>
  );
};
