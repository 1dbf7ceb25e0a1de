import { Alert, Container } from "@mantine/core";
import type { Permission } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { Outlet } from "react-router";
import { IconAlertTriangle } from "../../../components/icons";
import { useHasPermission } from "../hooks/use-permissions";
import { useSession } from "../hooks/use-session";

/** Pages for members whose role grants `permission`; others get an explanation instead of failing requests. */
export const RequirePermission = ({ permission }: { permission: Permission }) => {
  const { t } = useTranslation();
  const { workspace } = useSession();
  const hasPermission = useHasPermission();
  if (hasPermission(permission)) return <Outlet />;
  return (
    <Container size="sm" py="xl">
      <Alert color="yellow" icon={<IconAlertTriangle />} title={t("access.forbiddenTitle")}>
        {t("access.forbiddenBody", { workspace: workspace.name })}
      </Alert>
    </Container>
  );
};
