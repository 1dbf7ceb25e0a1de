import { Alert } from "@mantine/core";
import { SSO_ERROR_CODES, type TSsoErrorCode } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { IconAlertTriangle } from "../../../components/icons";

const isSsoErrorCode = (value: string): value is TSsoErrorCode => SSO_ERROR_CODES.some((code) => code === value);

/** Why a single sign-on failed: the server sends the browser back to `/login?sso_error=<code>`. */
export const SsoErrorAlert = () => {
  const { t } = useTranslation();
  const [searchParams, setSearchParams] = useSearchParams();
  const code = searchParams.get("sso_error");
  if (code === null) return null;

  const dismiss = () =>
    setSearchParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete("sso_error");
        return next;
      },
      { replace: true },
    );

  return (
    <Alert
      color="red"
      icon={<IconAlertTriangle />}
      title={t("auth.ssoError.title")}
      role="alert"
      withCloseButton
      closeButtonLabel={t("common.close")}
      onClose={dismiss}
      data-testid="sso-error"
    >
      {isSsoErrorCode(code) ? t(`auth.ssoError.codes.${code}`) : t("auth.ssoError.unknown")}
    </Alert>
  );
};
