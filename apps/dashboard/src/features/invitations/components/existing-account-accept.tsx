import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import type { TInvitationLookup } from "@parley/shared";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useLogout } from "../../auth/hooks/use-auth-mutations";
import { useMe } from "../../auth/hooks/use-me";
import { useAcceptInvitation } from "../hooks/use-invitation";

type Props = {
  invitation: TInvitationLookup;
  token: string;
  onAccepted: () => void;
  onLinkDead: () => void;
};

/**
 * The address already has an account: it accepts from that account's session, so its password,
 * second factor or single sign-on has been proven first.
 */
export const ExistingAccountAccept = ({ invitation, token, onAccepted, onLinkDead }: Props) => {
  const { t } = useTranslation();
  const location = useLocation();
  const me = useMe();
  const accept = useAcceptInvitation();
  const logout = useLogout();
  const workspace = invitation.workspaceName;

  if (me.isPending) {
    return (
      <Center>
        <Loader size="sm" aria-label={t("common.loading")} />
      </Center>
    );
  }

  if (!me.data) {
    const back = `${location.pathname}${location.search}`;
    return (
      <Stack gap="md">
        <Text size="sm">{t("invitation.existingAccount", { email: invitation.email })}</Text>
        <Button component={Link} to={`/login?${new URLSearchParams({ next: back, email: invitation.email })}`} fullWidth>
          {t("invitation.signInToAccept")}
        </Button>
      </Stack>
    );
  }

  const current = me.data.user.email;
  if (current.toLowerCase() !== invitation.email.toLowerCase()) {
    return (
      <Stack gap="md">
        <Alert color="yellow" role="alert" data-testid="invitation-wrong-account">
          {t("invitation.wrongAccount", { invited: invitation.email, current })}
        </Alert>
        {logout.isError && <FormErrorAlert error={logout.error} />}
        <Button onClick={() => logout.mutate()} loading={logout.isPending} variant="default" fullWidth>
          {t("invitation.logOut")}
        </Button>
      </Stack>
    );
  }

  if (isApiError(accept.error) && accept.error.code === "conflict") {
    return (
      <Stack gap="md">
        <Alert color="blue" role="status">
          {t("invitation.alreadyMember", { workspace })}
        </Alert>
        <Button component={Link} to="/" fullWidth>
          {t("invitation.goToApp")}
        </Button>
      </Stack>
    );
  }

  const handleAccept = () =>
    accept.mutate(
      { token },
      {
        onSuccess: onAccepted,
        onError: (error) => {
          if (isApiError(error) && error.code === "invalid_token") onLinkDead();
        },
      },
    );

  return (
    <Stack gap="md">
      <Text size="sm">{t("invitation.signedInAs", { email: current })}</Text>
      {accept.isError && <FormErrorAlert error={accept.error} />}
      <Button onClick={handleAccept} loading={accept.isPending} fullWidth>
        {t("invitation.accept", { workspace })}
      </Button>
    </Stack>
  );
};
