import { Button, Divider, Stack } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { AuthLayout } from "./auth-layout";
import { LoginCodeSignIn } from "./login-code-sign-in";
import { PasswordSignInForm } from "./password-sign-in-form";
import { SsoErrorAlert } from "./sso-error-alert";
import { SsoSignInForm } from "./sso-sign-in-form";
import { TwoFactorStep } from "./two-factor-step";

type SignInMethod = "password" | "loginCode" | "sso";

const METHOD_LABEL_KEYS = {
  password: "auth.login.usePassword",
  loginCode: "auth.login.useLoginCode",
  sso: "auth.login.useSso",
} as const;

const METHODS: readonly SignInMethod[] = ["password", "loginCode", "sso"];

export const LoginPage = () => {
  const { t } = useTranslation();
  const [searchParams] = useSearchParams();
  const [method, setMethod] = useState<SignInMethod>("password");
  // The address typed into one method is carried over to the next one the user picks.
  const [email, setEmail] = useState(() => searchParams.get("email") ?? "");
  const [challengeToken, setChallengeToken] = useState<string | null>(null);

  const renderMethod = () => {
    switch (method) {
      case "password":
        return <PasswordSignInForm initialEmail={email} onEmailChange={setEmail} onTwoFactorRequired={setChallengeToken} />;
      case "loginCode":
        return <LoginCodeSignIn initialEmail={email} onEmailChange={setEmail} onTwoFactorRequired={setChallengeToken} />;
      case "sso":
        return <SsoSignInForm initialEmail={email} onEmailChange={setEmail} />;
    }
  };

  return (
    <AuthLayout
      pageTitle={t("auth.login.pageTitle")}
      title={t("auth.login.title")}
      subtitle={t("auth.login.subtitle")}
      footer={{ text: t("auth.login.noAccount"), linkLabel: t("auth.login.signUpLink"), linkTo: "/signup" }}
    >
      <Stack gap="md">
        <SsoErrorAlert />
        {challengeToken !== null ? (
          <TwoFactorStep
            challengeToken={challengeToken}
            onRestart={() => {
              setChallengeToken(null);
              setMethod("password");
            }}
          />
        ) : (
          <>
            {renderMethod()}
            <Divider label={t("auth.login.otherMethods")} labelPosition="center" />
            <Stack gap="xs">
              {METHODS.filter((other) => other !== method).map((other) => (
                <Button key={other} variant="default" fullWidth onClick={() => setMethod(other)}>
                  {t(METHOD_LABEL_KEYS[other])}
                </Button>
              ))}
            </Stack>
          </>
        )}
      </Stack>
    </AuthLayout>
  );
};
