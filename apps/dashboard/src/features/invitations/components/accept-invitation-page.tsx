import { Alert, Button, Center, Divider, Loader, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { IconAlertTriangle } from "../../../components/icons";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isApiError } from "../../../lib/api-client";
import { AuthLayout } from "../../auth/components/auth-layout";
import { useInvitationLookup } from "../hooks/use-invitation";
import { ExistingAccountAccept } from "./existing-account-accept";
import { InvitationSummary } from "./invitation-summary";
import { NewAccountForm } from "./new-account-form";

const InvalidInvitation = ({ isMissing }: { isMissing: boolean }) => {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <Alert color="red" icon={<IconAlertTriangle />} title={t("invitation.invalidTitle")} role="alert">
        {isMissing ? t("invitation.missingToken") : t("invitation.invalid")}
      </Alert>
      <Button component={Link} to="/login" variant="default" fullWidth>
        {t("invitation.signIn")}
      </Button>
    </Stack>
  );
};

/** Where the invitation email links to: `/accept-invitation?token=…`. */
export const AcceptInvitationPage = () => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const token = searchParams.get("token")?.trim() ?? "";
  const lookup = useInvitationLookup(token);
  const [isLinkDead, setIsLinkDead] = useState(false);

  // The new session belongs to the invited workspace, so the app opens there.
  const openWorkspace = () => navigate("/", { replace: true });
  const markLinkDead = () => setIsLinkDead(true);

  const renderBody = () => {
    if (token.length === 0) return <InvalidInvitation isMissing />;
    if (isLinkDead) return <InvalidInvitation isMissing={false} />;
    if (lookup.isPending) {
      return (
        <Center>
          <Stack align="center" gap="sm" role="status">
            <Loader />
            <Text size="sm" c="dimmed">
              {t("invitation.loading")}
            </Text>
          </Stack>
        </Center>
      );
    }
    if (lookup.isError) {
      if (isApiError(lookup.error) && lookup.error.code === "invalid_token") return <InvalidInvitation isMissing={false} />;
      return (
        <QueryErrorAlert
          title={t("invitation.loadFailed")}
          error={lookup.error}
          onRetry={() => void lookup.refetch()}
          isRetrying={lookup.isFetching}
        />
      );
    }
    const invitation = lookup.data;
    return (
      <Stack gap="md">
        <InvitationSummary invitation={invitation} />
        <Divider />
        {invitation.isExistingUser ? (
          <ExistingAccountAccept invitation={invitation} token={token} onAccepted={openWorkspace} onLinkDead={markLinkDead} />
        ) : (
          <NewAccountForm
            token={token}
            onAccepted={openWorkspace}
            onLinkDead={markLinkDead}
            onAccountExists={() => void lookup.refetch()}
          />
        )}
      </Stack>
    );
  };

  return (
    <AuthLayout
      pageTitle={t("invitation.pageTitle")}
      title={lookup.data ? t("invitation.titleWithWorkspace", { workspace: lookup.data.workspaceName }) : t("invitation.title")}
      subtitle={t("invitation.subtitle")}
    >
      {renderBody()}
    </AuthLayout>
  );
};
