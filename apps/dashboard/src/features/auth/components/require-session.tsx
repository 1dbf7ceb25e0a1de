import { Center, Container } from "@mantine/core";
import { lazy } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, Outlet, useLocation } from "react-router";
import { FullPageLoader } from "../../../components/full-page-loader";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { PreferencesSync } from "../../preferences/components/preferences-sync";
import { useMe } from "../hooks/use-me";
import { SessionContext } from "../hooks/use-session";

const RestrictedSessionPage = lazy(() =>
  import("../../session-restrictions/components/restricted-session-page").then((module) => ({
    default: module.RestrictedSessionPage,
  })),
);

/**
 * Renders its routes for signed-in members; everyone else goes to /login and comes back afterwards.
 * A restricted session (2FA to set up, password expired) sees only the screen that lifts the restriction.
 */
export const RequireSession = () => {
  const { t } = useTranslation();
  const location = useLocation();
  const me = useMe();

  // A failed background refetch keeps the last answer, so only a first load without data shows the error.
  if (me.data === null) {
    const from = `${location.pathname}${location.search}${location.hash}`;
    return <Navigate to="/login" replace state={from === "/" ? undefined : { from }} />;
  }
  if (me.data === undefined) {
    if (me.isPending) return <FullPageLoader label={t("auth.checkingSession")} />;
    return (
      <Center mih="100vh">
        <Container size="xs">
          <QueryErrorAlert
            title={t("auth.sessionCheckFailed")}
            error={me.error}
            onRetry={() => void me.refetch()}
            isRetrying={me.isFetching}
          />
        </Container>
      </Center>
    );
  }
  return (
    <SessionContext value={me.data}>
      <PreferencesSync />
      {me.data.restriction === null ? <Outlet /> : <RestrictedSessionPage restriction={me.data.restriction} />}
    </SessionContext>
  );
};
