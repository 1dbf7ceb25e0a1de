import { Button, Group, NumberInput, PasswordInput, Radio, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import type { TInboxDetail } from "@parley/shared";
import { type FormEvent, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isApiError } from "../../../lib/api-client";
import {
  type MetaPlatform,
  useConnectChannel,
  useInstagramLoginAvailability,
  useMetaPages,
  useStartInstagramLogin,
  useStartMetaLogin,
} from "./channel-connection-api";

type CredentialKey =
  | "botToken"
  | "phoneNumberId"
  | "wabaId"
  | "accessToken"
  | "accountSid"
  | "authToken"
  | "phoneNumber"
  | "callbackUrl";
type FieldSpec = { key: CredentialKey; secret?: boolean; optional?: boolean };

/** What each platform asks for; the server validates the same fields with the platform's own rules. */
const PLATFORM_FIELDS: Partial<Record<TInboxDetail["type"], readonly FieldSpec[]>> = {
  telegram: [{ key: "botToken", secret: true }],
  whatsapp: [{ key: "phoneNumberId" }, { key: "wabaId" }, { key: "accessToken", secret: true }],
  sms: [{ key: "accountSid" }, { key: "authToken", secret: true }, { key: "phoneNumber" }],
  api: [{ key: "callbackUrl", optional: true }],
};

type ServerSettings = { host: string; port: number | string; secure: boolean; user: string; password: string; mailbox: string };
const emptyServer = (port: number, secure: boolean): ServerSettings => ({
  host: "",
  port,
  secure,
  user: "",
  password: "",
  mailbox: "INBOX",
});

/** `credentials.botToken` → `botToken`: problems are shown next to the field they are about. */
const credentialErrors = (error: unknown): Record<string, string> => {
  if (!isApiError(error)) return {};
  const errors: Record<string, string> = {};
  for (const [path, message] of Object.entries(error.fieldErrors)) errors[path.replace(/^credentials\./, "")] = message;
  return errors;
};

const useConnect = (inboxId: string, onConnected: (issued: Record<string, string> | undefined) => void) => {
  const connect = useConnectChannel(inboxId);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (credentials: Record<string, unknown>) => {
    setErrors({});
    connect.mutate(credentials, {
      onSuccess: (connection) => onConnected(connection.issuedCredentials),
      onError: (error) => setErrors(credentialErrors(error)),
    });
  };
  return { connect, errors, submit };
};

const ServerFields = ({
  prefix,
  value,
  onChange,
  errors,
  withMailbox,
}: {
  prefix: "smtp" | "imap";
  value: ServerSettings;
  onChange: (value: ServerSettings) => void;
  errors: Record<string, string>;
  withMailbox: boolean;
}) => {
  const { t } = useTranslation();
  const c = "settings.inboxes.channel" as const;
  return (
    <Stack gap="xs" pl="md">
      <Group grow align="flex-start">
        <TextInput
          label={t(`${c}.host`)}
          value={value.host}
          onChange={(event) => onChange({ ...value, host: event.currentTarget.value })}
          error={errors[`${prefix}.host`]}
          dir="ltr"
          required
        />
        <NumberInput
          label={t(`${c}.port`)}
          value={value.port}
          onChange={(port) => onChange({ ...value, port })}
          error={errors[`${prefix}.port`]}
          min={1}
          max={65535}
          allowDecimal={false}
          required
        />
      </Group>
      <Switch
        label={t(`${c}.secure`)}
        checked={value.secure}
        onChange={(event) => onChange({ ...value, secure: event.currentTarget.checked })}
      />
      <Group grow align="flex-start">
        <TextInput
          label={t(`${c}.user`)}
          value={value.user}
          onChange={(event) => onChange({ ...value, user: event.currentTarget.value })}
          error={errors[`${prefix}.user`]}
          dir="ltr"
          autoComplete="off"
        />
        <PasswordInput
          label={t(`${c}.password`)}
          value={value.password}
          onChange={(event) => onChange({ ...value, password: event.currentTarget.value })}
          error={errors[`${prefix}.password`]}
          autoComplete="new-password"
        />
      </Group>
      {withMailbox && (
        <TextInput
          label={t(`${c}.mailbox`)}
          value={value.mailbox}
          onChange={(event) => onChange({ ...value, mailbox: event.currentTarget.value })}
          error={errors[`${prefix}.mailbox`]}
          dir="ltr"
          maw={240}
        />
      )}
    </Stack>
  );
};

const toServer = (value: ServerSettings, withMailbox: boolean) => ({
  host: value.host.trim(),
  port: typeof value.port === "number" ? value.port : Number(value.port),
  secure: value.secure,
  ...(value.user ? { user: value.user } : {}),
  ...(value.password ? { password: value.password } : {}),
  ...(withMailbox ? { mailbox: value.mailbox.trim() || "INBOX" } : {}),
});

const EmailForm = ({ inbox, onConnected }: { inbox: TInboxDetail; onConnected: (issued?: Record<string, string>) => void }) => {
  const { t } = useTranslation();
  const c = "settings.inboxes.channel" as const;
  const { connect, errors, submit } = useConnect(inbox.id, onConnected);
  const [address, setAddress] = useState("");
  const [displayName, setDisplayName] = useState(inbox.name);
  const [ownSmtp, setOwnSmtp] = useState(false);
  const [smtp, setSmtp] = useState(() => emptyServer(587, false));
  const [useImap, setUseImap] = useState(false);
  const [imap, setImap] = useState(() => emptyServer(993, true));
  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit({
      address: address.trim(),
      ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      smtp: ownSmtp ? toServer(smtp, false) : null,
      imap: useImap ? toServer(imap, true) : null,
    });
  };
  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md">
        {connect.isError && <FormErrorAlert error={connect.error} />}
        <TextInput
          type="email"
          label={t(`${c}.fields.address`)}
          value={address}
          onChange={(event) => setAddress(event.currentTarget.value)}
          error={errors.address}
          required
          dir="ltr"
        />
        <TextInput
          label={t(`${c}.fields.displayName`)}
          value={displayName}
          onChange={(event) => setDisplayName(event.currentTarget.value)}
          error={errors.displayName}
        />
        <Switch
          label={t(`${c}.ownSmtp`)}
          description={t(`${c}.ownSmtpHint`)}
          checked={ownSmtp}
          onChange={(event) => setOwnSmtp(event.currentTarget.checked)}
        />
        {ownSmtp && <ServerFields prefix="smtp" value={smtp} onChange={setSmtp} errors={errors} withMailbox={false} />}
        <Switch
          label={t(`${c}.useImap`)}
          description={t(`${c}.useImapHint`)}
          checked={useImap}
          onChange={(event) => setUseImap(event.currentTarget.checked)}
        />
        {useImap && <ServerFields prefix="imap" value={imap} onChange={setImap} errors={errors} withMailbox />}
        <Group>
          <Button type="submit" loading={connect.isPending}>
            {t(`${c}.connect`)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

const FieldsForm = ({
  inbox,
  fields,
  onConnected,
}: {
  inbox: TInboxDetail;
  fields: readonly FieldSpec[];
  onConnected: (issued?: Record<string, string>) => void;
}) => {
  const { t } = useTranslation();
  const c = "settings.inboxes.channel" as const;
  const { connect, errors, submit } = useConnect(inbox.id, onConnected);
  const [values, setValues] = useState<Record<string, string>>({});
  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const credentials: Record<string, string> = {};
    for (const field of fields) {
      const value = (values[field.key] ?? "").trim();
      if (value || !field.optional) credentials[field.key] = value;
    }
    submit(credentials);
  };
  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md" maw={520}>
        {connect.isError && <FormErrorAlert error={connect.error} />}
        {fields.map((field) => {
          const props = {
            label: t(`${c}.fields.${field.key}`),
            value: values[field.key] ?? "",
            onChange: (event: { currentTarget: { value: string } }) => {
              const next = event.currentTarget.value;
              setValues((previous) => ({ ...previous, [field.key]: next }));
            },
            error: errors[field.key],
            required: !field.optional,
            dir: "ltr" as const,
            autoComplete: "off",
          };
          return field.secret ? <PasswordInput key={field.key} {...props} /> : <TextInput key={field.key} {...props} />;
        })}
        <Group>
          <Button type="submit" loading={connect.isPending}>
            {t(`${c}.connect`)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

const MetaForm = ({
  inbox,
  platform,
  selectionToken,
  onConnected,
}: {
  inbox: TInboxDetail;
  platform: MetaPlatform;
  selectionToken: string | null;
  onConnected: (issued?: Record<string, string>) => void;
}) => {
  const { t } = useTranslation();
  const c = "settings.inboxes.channel" as const;
  const start = useStartMetaLogin(platform, inbox.id);
  const instagramLogin = useInstagramLoginAvailability(platform === "instagram");
  const startInstagram = useStartInstagramLogin(inbox.id);
  const pages = useMetaPages(platform, selectionToken);
  const { connect, errors, submit } = useConnect(inbox.id, onConnected);
  const [pageId, setPageId] = useState<string | null>(null);
  const [manualPageId, setManualPageId] = useState("");
  const [pageAccessToken, setPageAccessToken] = useState("");
  const choices = (pages.data?.items ?? []).filter((page) => platform === "messenger" || page.instagram !== null);

  const section = (title: string, children: ReactNode) => (
    <Stack gap="sm">
      <Title order={3} fz="h5">
        {title}
      </Title>
      {children}
    </Stack>
  );

  return (
    <Stack gap="lg" maw={560}>
      {connect.isError && <FormErrorAlert error={connect.error} />}
      {platform === "instagram" &&
        instagramLogin.data?.isConfigured === true &&
        section(
          t(`${c}.instagramLoginTitle`),
          <>
            <Text size="sm" c="dimmed">
              {t(`${c}.instagramLoginHint`)}
            </Text>
            {startInstagram.isError && <FormErrorAlert error={startInstagram.error} />}
            <Group>
              <Button
                loading={startInstagram.isPending}
                onClick={() => startInstagram.mutate(undefined, { onSuccess: ({ url }) => window.location.assign(url) })}
              >
                {t(`${c}.continueWithInstagram`)}
              </Button>
            </Group>
          </>,
        )}
      {section(
        t(`${c}.facebookTitle`),
        <>
          <Text size="sm" c="dimmed">
            {t(`${c}.facebookHint`)}
          </Text>
          {start.isError && <FormErrorAlert error={start.error} />}
          {selectionToken === null && (
            <Group>
              <Button
                loading={start.isPending}
                onClick={() => start.mutate(undefined, { onSuccess: ({ url }) => window.location.assign(url) })}
              >
                {t(`${c}.continueWithFacebook`)}
              </Button>
            </Group>
          )}
          {selectionToken !== null && pages.isError && (
            <QueryErrorAlert
              title={t(`${c}.pagesFailed`)}
              error={pages.error}
              onRetry={() => void pages.refetch()}
              isRetrying={pages.isFetching}
            />
          )}
          {selectionToken !== null && pages.data && (
            <Stack gap="sm">
              <Radio.Group label={t(`${c}.choosePage`)} value={pageId} onChange={setPageId}>
                <Stack gap="xs" mt="xs">
                  {choices.map((page) => (
                    <Radio
                      key={page.id}
                      value={page.id}
                      label={page.instagram ? `${page.name} · @${page.instagram.username ?? page.instagram.id}` : page.name}
                    />
                  ))}
                  {choices.length === 0 && (
                    <Text size="sm" c="dimmed">
                      {t(`${c}.noPages`)}
                    </Text>
                  )}
                </Stack>
              </Radio.Group>
              <Group>
                <Button
                  disabled={pageId === null}
                  loading={connect.isPending}
                  onClick={() => pageId && submit({ pageId, selectionToken })}
                >
                  {t(`${c}.connect`)}
                </Button>
              </Group>
            </Stack>
          )}
        </>,
      )}
      {section(
        t(`${c}.manualTitle`),
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit({ pageId: manualPageId.trim(), pageAccessToken: pageAccessToken.trim() });
          }}
        >
          <Stack gap="sm">
            <TextInput
              label={t(`${c}.fields.pageId`)}
              value={manualPageId}
              onChange={(event) => setManualPageId(event.currentTarget.value)}
              error={errors.pageId}
              dir="ltr"
              required
            />
            <PasswordInput
              label={t(`${c}.fields.pageAccessToken`)}
              value={pageAccessToken}
              onChange={(event) => setPageAccessToken(event.currentTarget.value)}
              error={errors.pageAccessToken}
              dir="ltr"
              autoComplete="off"
              required
            />
            <Group>
              <Button type="submit" variant="default" loading={connect.isPending}>
                {t(`${c}.connect`)}
              </Button>
            </Group>
          </Stack>
        </form>,
      )}
    </Stack>
  );
};

/** The connect form for the inbox's platform. */
export const ChannelCredentialsForm = ({
  inbox,
  selectionToken,
  onConnected,
}: {
  inbox: TInboxDetail;
  selectionToken: string | null;
  onConnected: (issued?: Record<string, string>) => void;
}) => {
  if (inbox.type === "messenger" || inbox.type === "instagram") {
    return <MetaForm inbox={inbox} platform={inbox.type} selectionToken={selectionToken} onConnected={onConnected} />;
  }
  if (inbox.type === "email") return <EmailForm inbox={inbox} onConnected={onConnected} />;
  const fields = PLATFORM_FIELDS[inbox.type];
  return fields ? <FieldsForm inbox={inbox} fields={fields} onConnected={onConnected} /> : null;
};

export const isConnectable = (type: TInboxDetail["type"]) => type !== "website";
