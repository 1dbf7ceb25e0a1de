import { Button, EmptyState } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { IconAlertTriangle } from "./icons";

export const NotFoundPage = () => {
  const { t } = useTranslation();
  return (
    <>
      <title>{`${t("notFound.pageTitle")} · ${t("app.name")}`}</title>
      <EmptyState
        icon={<IconAlertTriangle size={28} />}
        withIndicatorBackground
        title={t("notFound.title")}
        description={t("notFound.body")}
        py="xl"
      >
        <EmptyState.Actions>
          <Button component={Link} to="/">
            {t("notFound.back")}
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    </>
  );
};
