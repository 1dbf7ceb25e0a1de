import { Button, Center, EmptyState } from "@mantine/core";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { useRouteError } from "react-router";
import { IconAlertTriangle } from "./icons";

/** Last line of defence for render errors and page code that failed to download (after a deploy). */
export const RouteErrorPage = () => {
  const { t } = useTranslation();
  const error = useRouteError();
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <Center mih="60vh" p="md">
      <EmptyState
        icon={<IconAlertTriangle size={28} />}
        variant="light"
        color="red"
        title={t("crash.title")}
        description={t("crash.body")}
      >
        <EmptyState.Actions>
          <Button onClick={() => window.location.reload()}>{t("crash.reload")}</Button>
        </EmptyState.Actions>
      </EmptyState>
    </Center>
  );
};
