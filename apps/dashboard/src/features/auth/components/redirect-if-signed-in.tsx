import { useTranslation } from "react-i18next";
import { Navigate, Outlet } from "react-router";
import { FullPageLoader } from "../../../components/full-page-loader";
import { useMe } from "../hooks/use-me";
import { useReturnPath } from "../hooks/use-return-path";

/** The login and signup pages; a signed-in member is sent on to the app instead. */
export const RedirectIfSignedIn = () => {
  const { t } = useTranslation();
  const returnPath = useReturnPath();
  const me = useMe();

  if (me.data) return <Navigate to={returnPath} replace />;
  if (me.isPending) return <FullPageLoader label={t("auth.checkingSession")} />;
  // When the session check itself fails, the forms still render and report the problem on submit.
  return <Outlet />;
};
