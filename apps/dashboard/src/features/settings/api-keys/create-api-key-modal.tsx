import { Button, Checkbox, Group, Modal, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { PERMISSION_NAMES, type Permission } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../../auth/hooks/use-session";
import { ModalForm } from "../components/modal-form";
import { ShownOnceSecret } from "../components/shown-once-secret";
import { useNotifySaved } from "../lib/use-notify";
import { usePermissionLabel } from "../lib/use-permission-label";
import { useServerErrors } from "../lib/use-server-errors";
import { useCreateApiKey } from "./api-keys-api";

const FIELDS = ["name", "permissions", "expiresAt"] as const;

const isPermission = (value: string): value is Permission => PERMISSION_NAMES.some((name) => name === value);

const CreateApiKeyForm = ({ onCancel, onCreated }: { onCancel: () => void; onCreated: (key: string) => void }) => {
  const { t } = useTranslation();
  const permissionLabel = usePermissionLabel();
  const notify = useNotifySaved();
  const { permissions: held } = useSession();
  const create = useCreateApiKey();
  const errors = useServerErrors(FIELDS);
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [expiresOn, setExpiresOn] = useState("");
  // Nobody can hand a key a permission they do not hold themselves.
  const grantable = PERMISSION_NAMES.filter((permission) => held.includes(permission));

  const handleSubmit = () => {
    create.mutate(
      { name, permissions, ...(expiresOn ? { expiresAt: `${expiresOn}T00:00:00Z` } : {}) },
      {
        onSuccess: (created) => {
          notify(t("settings.apiKeys.created"));
          onCreated(created.key);
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <ModalForm
      onSubmit={handleSubmit}
      onCancel={onCancel}
      formError={errors.formError}
      isPending={create.isPending}
      submitLabel={t("settings.common.create")}
    >
      <TextInput
        label={t("settings.apiKeys.name")}
        description={t("settings.apiKeys.nameHint")}
        value={name}
        onChange={(event) => {
          setName(event.currentTarget.value);
          errors.clearField("name");
        }}
        error={errors.fieldErrors.name}
        required
        maxLength={100}
        data-autofocus
      />
      <Checkbox.Group
        label={t("settings.apiKeys.permissions")}
        value={permissions}
        onChange={(values) => {
          setPermissions(values.filter(isPermission));
          errors.clearField("permissions");
        }}
        error={errors.fieldErrors.permissions}
        required
      >
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
          {grantable.map((permission) => (
            <Checkbox key={permission} value={permission} label={permissionLabel(permission)} />
          ))}
        </SimpleGrid>
      </Checkbox.Group>
      <TextInput
        type="date"
        label={t("settings.apiKeys.expiresAt")}
        description={t("settings.apiKeys.expiresAtHint")}
        value={expiresOn}
        onChange={(event) => {
          setExpiresOn(event.currentTarget.value);
          errors.clearField("expiresAt");
        }}
        error={errors.fieldErrors.expiresAt}
        maw={240}
      />
    </ModalForm>
  );
};

/** After creating, the dialog shows the key this once: Parley keeps only its hash. */
export const CreateApiKeyModal = ({ opened, onClose }: { opened: boolean; onClose: () => void }) => {
  const { t } = useTranslation();
  const [key, setKey] = useState<string | null>(null);
  const close = () => {
    setKey(null);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={t("settings.apiKeys.createTitle")} size="lg" centered>
      {key !== null ? (
        <Stack gap="md">
          <ShownOnceSecret label={t("settings.apiKeys.keyLabel")} value={key} testId="api-key-secret" />
          <Group justify="flex-end">
            <Button onClick={close}>{t("settings.common.done")}</Button>
          </Group>
        </Stack>
      ) : (
        opened && <CreateApiKeyForm onCancel={close} onCreated={setKey} />
      )}
    </Modal>
  );
};
