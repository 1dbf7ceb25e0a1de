import { Paper, Stack, Text, Title } from "@mantine/core";
import type { TMeResponse } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { useSession } from "../../auth/hooks/use-session";
import { PasswordChangeScreen } from "./password-change-screen";
import { RestrictedSessionLayout } from "./restricted-session-layout";
import { TwoFactorEnrolmentScreen } from "./two-factor-enrolment-screen";

type Restriction = NonNullable<TMeResponse["restriction"]>;

/** Replaces every page while the session is restricted: the server refuses everything else until it is resolved. */
export const RestrictedSessionPage = ({ restriction }: { restriction: Restriction }) => {
  const { t } = useTranslation();
  const { workspace } = useSession();

  const texts = (() => {
    switch (restriction) {
      case "two_factor_enrolment_required":
        return {
          pageTitle: t("restrictions.twoFactor.pageTitle"),
          title: t("restrictions.twoFactor.title"),
          intro: t("restrictions.twoFactor.intro", { workspace: workspace.name }),
          body: <TwoFactorEnrolmentScreen />,
        };
      case "password_change_required":
        return {
          pageTitle: t("restrictions.password.pageTitle"),
          title: t("restrictions.password.title"),
          intro: t("restrictions.password.intro", { workspace: workspace.name }),
          body: <PasswordChangeScreen />,
        };
    }
  })();

  return (
    <RestrictedSessionLayout>
      <title>{`${texts.pageTitle} · ${t("app.name")}`}</title>
      <Stack gap="lg">
        <Stack gap={4}>
          <Title order={1} fz="h2">
            {texts.title}
          </Title>
          <Text c="dimmed" size="sm">
            {texts.intro}
          </Text>
        </Stack>
        <Paper withBorder shadow="sm" radius="md" p="xl">
          {texts.body}
        </Paper>
      </Stack>
    </RestrictedSessionLayout>
  );
};
