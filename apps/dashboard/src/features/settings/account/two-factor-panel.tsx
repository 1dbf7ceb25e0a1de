import { Badge, Button, Code, Group, Image, Modal, PasswordInput, Skeleton, Stack, Text, TextInput, Title } from "@mantine/core";
import type { TTwoFactorEnrolment } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { BackupCodesPanel } from "../../session-restrictions/components/backup-codes-panel";
import {
  useConfirmTwoFactor,
  useStartTwoFactorEnrolment,
} from "../../session-restrictions/hooks/use-session-restriction-mutations";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useDisableTwoFactor, useRefreshAfterEnrolment, useRegenerateBackupCodes, useTwoFactorStatus } from "./account-api";

const EnrolForm = ({ enrolment, onCodes }: { enrolment: TTwoFactorEnrolment; onCodes: (codes: string[]) => void }) => {
  const { t } = useTranslation();
  const confirm = useConfirmTwoFactor();
  const errors = useServerErrors(["code"] as const);
  const [code, setCode] = useState("");
  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    confirm.mutate({ code }, { onSuccess: (result) => onCodes(result.backupCodes), onError: errors.handleError });
  };
  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <Text size="sm">{t("settings.twoFactor.scan")}</Text>
        <Image src={enrolment.qrCodeDataUrl} alt={t("settings.twoFactor.qrAlt")} w={180} h={180} />
        <Text size="sm">
          {t("settings.twoFactor.secret")}:{" "}
          <Code dir="ltr" data-testid="two-factor-secret">
            {enrolment.secret}
          </Code>
        </Text>
        <TextInput
          label={t("settings.twoFactor.code")}
          value={code}
          onChange={(event) => {
            setCode(event.currentTarget.value);
            errors.clearField("code");
          }}
          error={errors.fieldErrors.code}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={16}
          required
          dir="ltr"
        />
        <Group>
          <Button type="submit" loading={confirm.isPending}>
            {t("settings.twoFactor.confirm")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

type Dialog = "disable" | "regenerate" | null;

const CodeDialog = ({
  dialog,
  onClose,
  onCodes,
}: {
  dialog: Dialog;
  onClose: () => void;
  onCodes: (codes: string[]) => void;
}) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const disable = useDisableTwoFactor();
  const regenerate = useRegenerateBackupCodes();
  const errors = useServerErrors(["code", "password"] as const);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const close = () => {
    errors.reset();
    setCode("");
    setPassword("");
    onClose();
  };
  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (dialog === "disable") {
      disable.mutate(code ? { code } : { password }, {
        onSuccess: () => {
          notify(t("settings.twoFactor.turnedOff"));
          close();
        },
        onError: errors.handleError,
      });
      return;
    }
    regenerate.mutate(
      { code },
      {
        onSuccess: (result) => {
          close();
          onCodes(result.backupCodes);
        },
        onError: errors.handleError,
      },
    );
  };
  return (
    <Modal
      opened={dialog !== null}
      onClose={close}
      title={dialog === "disable" ? t("settings.twoFactor.disableTitle") : t("settings.twoFactor.regenerateTitle")}
      centered
    >
      <form onSubmit={handleSubmit} noValidate>
        <Stack gap="md">
          {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
          <Text size="sm">
            {dialog === "disable" ? t("settings.twoFactor.disableBody") : t("settings.twoFactor.regenerateBody")}
          </Text>
          <TextInput
            label={t("settings.twoFactor.code")}
            value={code}
            onChange={(event) => {
              setCode(event.currentTarget.value);
              errors.clearField("code");
            }}
            error={errors.fieldErrors.code}
            inputMode="numeric"
            autoComplete="one-time-code"
            dir="ltr"
            data-autofocus
          />
          {dialog === "disable" && (
            <PasswordInput
              label={t("settings.twoFactor.password")}
              value={password}
              onChange={(event) => {
                setPassword(event.currentTarget.value);
                errors.clearField("password");
              }}
              error={errors.fieldErrors.password}
              autoComplete="current-password"
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("common.cancel")}
            </Button>
            <Button
              type="submit"
              color={dialog === "disable" ? "red" : undefined}
              loading={disable.isPending || regenerate.isPending}
            >
              {dialog === "disable" ? t("settings.twoFactor.turnOff") : t("settings.twoFactor.regenerate")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
};

export const TwoFactorPanel = () => {
  const { t } = useTranslation();
  const status = useTwoFactorStatus();
  const start = useStartTwoFactorEnrolment();
  const refresh = useRefreshAfterEnrolment();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [isFinishing, setIsFinishing] = useState(false);

  const finish = () => {
    setIsFinishing(true);
    // `me` and the status refresh only now: the codes had to stay on screen until saved.
    void refresh().finally(() => {
      setIsFinishing(false);
      setCodes(null);
      start.reset();
    });
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4} maw={560}>
          <Group gap="sm">
            <Title order={2} fz="h4">
              {t("settings.twoFactor.title")}
            </Title>
            {status.data && (
              <Badge
                miw="fit-content"
                color={status.data.enabled ? "teal" : "gray"}
                variant="light"
                data-testid="two-factor-status"
              >
                {status.data.enabled ? t("settings.twoFactor.enabled") : t("settings.twoFactor.disabled")}
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {t("settings.twoFactor.description")}
          </Text>
        </Stack>
      </Group>
      {status.isPending && <Skeleton height={60} />}
      {status.isError && (
        <QueryErrorAlert
          title={t("settings.twoFactor.loadFailed")}
          error={status.error}
          onRetry={() => void status.refetch()}
          isRetrying={status.isFetching}
        />
      )}
      {codes !== null && <BackupCodesPanel codes={codes} onDone={finish} isContinuing={isFinishing} />}
      {codes === null && status.data?.enabled && (
        <Stack gap="sm" align="flex-start">
          <Text size="sm">{t("settings.twoFactor.backupRemaining", { count: status.data.backupCodesRemaining })}</Text>
          <Group>
            <Button variant="default" onClick={() => setDialog("regenerate")}>
              {t("settings.twoFactor.regenerate")}
            </Button>
            <Button variant="light" color="red" onClick={() => setDialog("disable")}>
              {t("settings.twoFactor.turnOff")}
            </Button>
          </Group>
        </Stack>
      )}
      {codes === null && status.data && !status.data.enabled && (
        <Stack gap="md">
          {start.isError && <FormErrorAlert error={start.error} />}
          {start.data ? (
            <EnrolForm enrolment={start.data} onCodes={setCodes} />
          ) : (
            <Group>
              <Button onClick={() => start.mutate()} loading={start.isPending}>
                {t("settings.twoFactor.turnOn")}
              </Button>
            </Group>
          )}
        </Stack>
      )}
      <CodeDialog dialog={dialog} onClose={() => setDialog(null)} onCodes={setCodes} />
    </Stack>
  );
};
