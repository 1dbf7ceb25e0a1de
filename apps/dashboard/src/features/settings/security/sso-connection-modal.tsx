import {
  Code,
  Modal,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import type { TCreateSsoConnectionRequest, TSsoConnection, TUpdateSsoConnectionRequest } from "@parley/shared";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { ModalForm } from "../components/modal-form";
import { useRoles } from "../lib/directory-api";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useRoleOptions } from "../members/role-options";
import { useSaveSsoConnection } from "./security-api";

type Kind = "google" | "oidc" | "saml";
const KINDS = ["google", "oidc", "saml"] as const;
const isKind = (value: string): value is Kind => KINDS.some((kind) => kind === value);

const FIELDS = [
  "name",
  "domains",
  "defaultRoleId",
  "issuer",
  "clientId",
  "clientSecret",
  "idpEntryPoint",
  "idpIssuer",
  "idpCertificate",
] as const;

const kindOf = (connection: TSsoConnection): Kind =>
  connection.protocol === "saml" ? "saml" : connection.provider === "google" ? "google" : "oidc";

/** A value to paste into the identity provider, ready to copy. */
const ProviderValue = ({ label, value }: { label: string; value: string }) => (
  <Stack gap={2}>
    <Text size="xs" c="dimmed">
      {label}
    </Text>
    <Code dir="ltr" style={{ wordBreak: "break-all" }}>
      {value}
    </Code>
  </Stack>
);

const SsoForm = ({ connection, onDone }: { connection: TSsoConnection | null; onDone: () => void }) => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const formatDateTime = useFormatDateTime();
  const save = useSaveSsoConnection();
  const roles = useRoles();
  const roleOptions = useRoleOptions(roles.data?.items);
  const errors = useServerErrors(FIELDS);
  const [kind, setKind] = useState<Kind>(connection ? kindOf(connection) : "oidc");
  const [name, setName] = useState(connection?.name ?? "");
  const [domains, setDomains] = useState<string[]>(connection?.domains ?? []);
  const [defaultRoleId, setDefaultRoleId] = useState<string | null>(connection?.defaultRoleId ?? null);
  const [isEnabled, setIsEnabled] = useState(connection?.isEnabled ?? true);
  const [isPasswordLoginForbidden, setIsPasswordLoginForbidden] = useState(connection?.isPasswordLoginForbidden ?? false);
  const [issuer, setIssuer] = useState(connection?.oidc?.issuer ?? "");
  const [clientId, setClientId] = useState(connection?.oidc?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [idpEntryPoint, setIdpEntryPoint] = useState(connection?.saml?.idpEntryPoint ?? "");
  const [idpIssuer, setIdpIssuer] = useState(connection?.saml?.idpIssuer ?? "");
  const [idpCertificate, setIdpCertificate] = useState(connection?.saml?.idpCertificate ?? "");
  const agentRoleId = roles.data?.items.find((role) => role.key === "agent")?.id ?? null;
  const roleId = defaultRoleId ?? agentRoleId ?? "";

  const text = (
    field: (typeof FIELDS)[number],
    value: string,
    set: (value: string) => void,
    label: string,
    extra: { description?: ReactNode; required?: boolean; ltr?: boolean } = {},
  ) => (
    <TextInput
      label={label}
      description={extra.description}
      value={value}
      onChange={(event) => {
        set(event.currentTarget.value);
        errors.clearField(field);
      }}
      error={errors.fieldErrors[field]}
      required={extra.required ?? true}
      dir={extra.ltr ? "ltr" : undefined}
    />
  );

  const buildCreate = (): TCreateSsoConnectionRequest => {
    const common = { domains, defaultRoleId: roleId, isEnabled, isPasswordLoginForbidden };
    if (kind === "saml") return { protocol: "saml", name, idpEntryPoint, idpIssuer, idpCertificate, ...common };
    if (kind === "google")
      return { protocol: "oidc", provider: "google", name: name || "Google", clientId, clientSecret, ...common };
    return { protocol: "oidc", provider: "generic", name, issuer, clientId, clientSecret, ...common };
  };

  const buildUpdate = (): TUpdateSsoConnectionRequest => {
    const changes: TUpdateSsoConnectionRequest = { name, domains, defaultRoleId: roleId, isEnabled, isPasswordLoginForbidden };
    if (kind === "saml") return { ...changes, idpEntryPoint, idpIssuer, idpCertificate };
    return {
      ...changes,
      clientId,
      ...(kind === "oidc" ? { issuer } : {}),
      // An empty secret box keeps the stored secret, which is never sent back to the browser.
      ...(clientSecret ? { clientSecret } : {}),
    };
  };

  const handleSubmit = () => {
    const request = connection ? { id: connection.id, input: buildUpdate() } : { id: null, input: buildCreate() };
    save.mutate(request, {
      onSuccess: (saved) => {
        notify(
          connection ? t("settings.common.saved") : t("settings.security.sso.created"),
          t("settings.security.sso.savedMessage", { name: saved.name }),
        );
        onDone();
      },
      onError: errors.handleError,
    });
  };

  return (
    <ModalForm
      onSubmit={handleSubmit}
      onCancel={onDone}
      formError={errors.formError}
      isPending={save.isPending}
      submitLabel={connection ? t("settings.common.save") : t("settings.common.create")}
    >
      {connection === null && (
        <Stack gap={4}>
          <Text size="sm" fw={500} id="sso-kind-label">
            {t("settings.security.sso.kind")}
          </Text>
          <SegmentedControl
            aria-labelledby="sso-kind-label"
            value={kind}
            onChange={(value) => isKind(value) && setKind(value)}
            data={KINDS.map((value) => ({ value, label: t(`settings.security.sso.kinds.${value}`) }))}
          />
        </Stack>
      )}
      {text("name", name, setName, t("settings.security.sso.name"), { required: kind !== "google" })}
      <TagsInput
        label={t("settings.security.sso.domains")}
        description={t("settings.security.sso.domainsHint")}
        value={domains}
        onChange={(value) => {
          setDomains(value);
          errors.clearField("domains");
        }}
        error={errors.fieldErrors.domains}
        required
        dir="ltr"
        splitChars={[",", " "]}
      />
      <Select
        label={t("settings.security.sso.defaultRole")}
        data={roleOptions}
        value={roleId || null}
        onChange={(value) => {
          setDefaultRoleId(value);
          errors.clearField("defaultRoleId");
        }}
        error={errors.fieldErrors.defaultRoleId}
        allowDeselect={false}
        comboboxProps={{ withinPortal: true }}
      />
      {kind === "oidc" && text("issuer", issuer, setIssuer, t("settings.security.sso.issuer"), { ltr: true })}
      {kind !== "saml" && (
        <>
          {text("clientId", clientId, setClientId, t("settings.security.sso.clientId"), { ltr: true })}
          <PasswordInput
            label={t("settings.security.sso.clientSecret")}
            description={connection ? t("settings.security.sso.clientSecretKeep") : undefined}
            value={clientSecret}
            onChange={(event) => {
              setClientSecret(event.currentTarget.value);
              errors.clearField("clientSecret");
            }}
            error={errors.fieldErrors.clientSecret}
            required={connection === null}
            dir="ltr"
            autoComplete="off"
          />
        </>
      )}
      {kind === "saml" && (
        <>
          {text("idpEntryPoint", idpEntryPoint, setIdpEntryPoint, t("settings.security.sso.idpEntryPoint"), { ltr: true })}
          {text("idpIssuer", idpIssuer, setIdpIssuer, t("settings.security.sso.idpIssuer"), { ltr: true })}
          <Textarea
            label={t("settings.security.sso.idpCertificate")}
            description={
              connection?.saml?.idpCertificateExpiresAt
                ? t("settings.security.sso.certificateExpires", {
                    date: formatDateTime(connection.saml.idpCertificateExpiresAt),
                  })
                : undefined
            }
            value={idpCertificate}
            onChange={(event) => {
              setIdpCertificate(event.currentTarget.value);
              errors.clearField("idpCertificate");
            }}
            error={errors.fieldErrors.idpCertificate}
            required
            autosize
            minRows={4}
            dir="ltr"
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          />
        </>
      )}
      <Switch
        label={t("settings.security.sso.isEnabled")}
        checked={isEnabled}
        onChange={(event) => setIsEnabled(event.currentTarget.checked)}
      />
      <Switch
        label={t("settings.security.sso.forbidPassword")}
        checked={isPasswordLoginForbidden}
        onChange={(event) => setIsPasswordLoginForbidden(event.currentTarget.checked)}
      />
      {connection?.oidc && <ProviderValue label={t("settings.security.sso.redirectUri")} value={connection.oidc.redirectUri} />}
      {connection?.saml && (
        <>
          <ProviderValue label={t("settings.security.sso.spEntityId")} value={connection.saml.spEntityId} />
          <ProviderValue label={t("settings.security.sso.acsUrl")} value={connection.saml.acsUrl} />
          <ProviderValue label={t("settings.security.sso.metadataUrl")} value={connection.saml.metadataUrl} />
        </>
      )}
    </ModalForm>
  );
};

export const SsoConnectionModal = ({
  connection,
  onClose,
}: {
  connection: TSsoConnection | null | undefined;
  onClose: () => void;
}) => {
  const { t } = useTranslation();
  return (
    <Modal
      opened={connection !== undefined}
      onClose={onClose}
      title={
        connection ? t("settings.security.sso.editTitle", { name: connection.name }) : t("settings.security.sso.createTitle")
      }
      size="lg"
      centered
    >
      {connection !== undefined && <SsoForm key={connection?.id ?? "new"} connection={connection} onDone={onClose} />}
    </Modal>
  );
};
