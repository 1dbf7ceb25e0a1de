import { Checkbox, Modal, SimpleGrid, Text, Textarea, TextInput } from "@mantine/core";
import { PERMISSION_NAMES, type Permission, type TRole } from "@parley/shared";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ModalForm } from "../components/modal-form";
import { useNotifySaved } from "../lib/use-notify";
import { usePermissionLabel } from "../lib/use-permission-label";
import { useServerErrors } from "../lib/use-server-errors";
import { useSaveRole } from "./roles-api";

const FIELDS = ["name", "description", "permissions"] as const;

const isPermission = (value: string): value is Permission => PERMISSION_NAMES.some((name) => name === value);

const RoleForm = ({ role, onDone }: { role: TRole | null; onDone: () => void }) => {
  const { t } = useTranslation();
  const permissionLabel = usePermissionLabel();
  const notify = useNotifySaved();
  const save = useSaveRole();
  const errors = useServerErrors(FIELDS);
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [permissions, setPermissions] = useState<Permission[]>(role?.permissions ?? []);

  const handleSubmit = () => {
    save.mutate(
      { id: role?.id ?? null, input: { name, description, permissions } },
      {
        onSuccess: (saved) => {
          notify(
            role ? t("settings.common.saved") : t("settings.roles.created"),
            t("settings.roles.savedMessage", { name: saved.name }),
          );
          onDone();
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <ModalForm
      onSubmit={handleSubmit}
      onCancel={onDone}
      formError={errors.formError}
      isPending={save.isPending}
      submitLabel={role ? t("settings.common.save") : t("settings.common.create")}
    >
      <TextInput
        label={t("settings.roles.name")}
        value={name}
        onChange={(event) => {
          setName(event.currentTarget.value);
          errors.clearField("name");
        }}
        error={errors.fieldErrors.name}
        required
        maxLength={60}
        data-autofocus
      />
      <Textarea
        label={t("settings.roles.description_label")}
        value={description}
        onChange={(event) => setDescription(event.currentTarget.value)}
        error={errors.fieldErrors.description}
        maxLength={500}
        autosize
        minRows={2}
      />
      <Checkbox.Group
        label={t("settings.roles.permissions")}
        value={permissions}
        onChange={(values) => {
          setPermissions(values.filter(isPermission));
          errors.clearField("permissions");
        }}
        error={errors.fieldErrors.permissions}
      >
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
          {PERMISSION_NAMES.map((permission) => (
            <Checkbox
              key={permission}
              value={permission}
              label={permissionLabel(permission)}
              description={
                <Text span size="xs" ff="monospace" dir="ltr">
                  {permission}
                </Text>
              }
            />
          ))}
        </SimpleGrid>
      </Checkbox.Group>
    </ModalForm>
  );
};

/** `role` undefined: closed; null: a new custom role; a role: edit it. */
export const RoleModal = ({ role, onClose }: { role: TRole | null | undefined; onClose: () => void }) => {
  const { t } = useTranslation();
  return (
    <Modal
      opened={role !== undefined}
      onClose={onClose}
      title={role ? t("settings.roles.editTitle", { name: role.name }) : t("settings.roles.createTitle")}
      size="xl"
      centered
    >
      {role !== undefined && <RoleForm key={role?.id ?? "new"} role={role} onDone={onClose} />}
    </Modal>
  );
};
