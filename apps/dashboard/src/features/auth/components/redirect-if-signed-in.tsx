import { useTranslation } from "react-i18next";
import { Navigate, Outlet, useLocation } from "react-router";
import { FullPageLoader } from "../../../components/full-page-loader";
import { useMe } from "../hooks/use-me";

/** Where RequireSession sent the user from, when it is a path inside the dashboard. */
const returnPathOf = (state: unknown): string => {
  if (typeof state !== "object" || state === null || !("from" in state)) return "/";
  const { from } = state;
  // Only same-app paths: "//host" would leave the dashboard.
  return typeof from === "string" && from.startsWith("/") && !from.startsWith("//") ? from : "/";
};

/** The login and signup pages; a signed-in member is sent on to the app instead. */
export const RedirectIfSignedIn = () => {
  const { t } = useTranslation();
  const location = useLocation();
  const me = useMe();

  if (me.data) return <Navigate to={returnPathOf(location.state)} replace />;
  if (me.isPending) return <FullPageLoader label={t("auth.checkingSession")} />;
  // When the session check itself fails, the forms still render and report the problem on submit.
  return <Outlet />;
};
