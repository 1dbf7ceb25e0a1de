import { Button, Center, Code, CopyButton, Group, Image, Loader, Stack, Text, TextInput } from "@mantine/core";
import { ZConfirmTwoFactorRequest } from "@parley/shared";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isApiError } from "../../../lib/api-client";
import { meQueryKey } from "../../auth/api/auth-api";
import { useConfirmTwoFactor, useStartTwoFactorEnrolment } from "../hooks/use-session-restriction-mutations";
import { BackupCodesPanel } from "./backup-codes-panel";

/** The workspace requires 2FA: scan (or type) the secret, confirm with a code, save the backup codes. */
export const TwoFactorEnrolmentScreen = () => {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const enrolment = useStartTwoFactorEnrolment();
  const confirm = useConfirmTwoFactor();
  const { mutate: startEnrolment } = enrolment;
  const [code, setCode] = useState("");
  const [codeError, setCodeError] = useState<string | null>(null);
  const [formError, setFormError] = useState<unknown>(null);
  const [isContinuing, setIsContinuing] = useState(false);
  // Each call makes a new secret; one per visit keeps the QR code and the app in step.
  const hasStarted = useRef(false);

  useEffect(() => {
    if (hasStarted.current) return;
    hasStarted.current = true;
    startEnrolment(undefined, {
      // Already on (set up in another tab): `me` no longer carries the restriction.
      onError: (error) => {
        if (isApiError(error) && error.code === "conflict") void queryClient.invalidateQueries({ queryKey: meQueryKey });
      },
    });
  }, [startEnrolment, queryClient]);

  const handleConfirm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCodeError(null);
    setFormError(null);
    const parsed = ZConfirmTwoFactorRequest.safeParse({ code });
    if (!parsed.success) {
      setCodeError(t("validation.totpCodeInvalid"));
      return;
    }
    confirm.mutate(parsed.data, {
      onError: (error) => {
        if (isApiError(error) && error.code === "invalid_code") setCodeError(t("restrictions.twoFactor.codeWrong"));
        else if (isApiError(error) && error.fieldErrors.code !== undefined) setCodeError(error.fieldErrors.code);
        else setFormError(error);
      },
    });
  };

  const finish = async () => {
    setIsContinuing(true);
    await queryClient.invalidateQueries({ queryKey: meQueryKey });
    setIsContinuing(false);
  };

  if (confirm.data)
    return <BackupCodesPanel codes={confirm.data.backupCodes} onDone={() => void finish()} isContinuing={isContinuing} />;

  if (enrolment.isError) {
    return (
      <QueryErrorAlert
        title={t("restrictions.twoFactor.startFailed")}
        error={enrolment.error}
        onRetry={() => startEnrolment()}
        isRetrying={enrolment.isPending}
      />
    );
  }

  if (!enrolment.data) {
    return (
      <Center py="xl">
        <Stack align="center" gap="sm" role="status">
          <Loader />
          <Text size="sm" c="dimmed">
            {t("restrictions.twoFactor.starting")}
          </Text>
        </Stack>
      </Center>
    );
  }

  const { qrCodeDataUrl, secret } = enrolment.data;
  return (
    <Stack gap="md">
      <Text size="sm">{t("restrictions.twoFactor.scan")}</Text>
      <Center>
        <Image src={qrCodeDataUrl} alt={t("restrictions.twoFactor.qrCodeAlt")} w={200} h={200} fit="contain" radius="sm" />
      </Center>
      <Stack gap={4}>
        <Text size="sm" c="dimmed">
          {t("restrictions.twoFactor.manual")}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code
            fz="sm"
            aria-label={t("restrictions.twoFactor.secretLabel")}
            data-testid="two-factor-secret"
            style={{ direction: "ltr", wordBreak: "break-all", flex: 1 }}
          >
            {secret}
          </Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy}>
                {copied ? t("restrictions.twoFactor.copied") : t("restrictions.twoFactor.copy")}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
      <form onSubmit={handleConfirm} noValidate>
        <Stack gap="md">
          <Text size="sm">{t("restrictions.twoFactor.enterCode")}</Text>
          {formError !== null && <FormErrorAlert error={formError} />}
          <TextInput
            label={t("restrictions.twoFactor.code")}
            autoComplete="one-time-code"
            inputMode="numeric"
            maxLength={16}
            value={code}
            onChange={(event) => {
              setCode(event.currentTarget.value);
              setCodeError(null);
            }}
            error={codeError}
            required
            data-autofocus
          />
          <Button type="submit" loading={confirm.isPending} fullWidth>
            {t("restrictions.twoFactor.submit")}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
};
