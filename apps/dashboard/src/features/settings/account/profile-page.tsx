import { Button, Card, Group, PasswordInput, Select, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { NOTIFICATION_KINDS } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from "../../../i18n/i18n";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useSession } from "../../auth/hooks/use-session";
import {
  type NotificationPreferences,
  useNotificationPreferences,
  useSaveNotificationPreferences,
} from "../../notifications/api/notification-preferences";
import { requestDesktopPermission } from "../../notifications/api/notify";
import { useLanguage } from "../../preferences/hooks/use-language";
import { useChangePassword } from "../../session-restrictions/hooks/use-session-restriction-mutations";
import { SettingsPage } from "../components/settings-page";
import { useNotifySaved } from "../lib/use-notify";
import { useServerErrors } from "../lib/use-server-errors";
import { useUpdateProfile } from "./account-api";
import { AvatarField } from "./avatar-field";

const ProfileForm = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const { user } = useSession();
  const update = useUpdateProfile();
  const errors = useServerErrors(["name"] as const);
  const { language, setLanguage } = useLanguage();
  const [name, setName] = useState(user.name);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate(
      { name },
      {
        onSuccess: () => {
          errors.reset();
          notify(t("settings.common.saved"), t("settings.profile.savedMessage"));
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md" maw={480}>
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <TextInput
          label={t("settings.profile.name")}
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            errors.clearField("name");
          }}
          error={errors.fieldErrors.name}
          required
          maxLength={120}
        />
        <TextInput
          label={t("settings.profile.email")}
          description={t("settings.profile.emailHint")}
          value={user.email}
          readOnly
          dir="ltr"
        />
        <Select
          label={t("settings.profile.language")}
          description={t("settings.profile.languageHint")}
          data={LANGUAGES.map((value) => ({ value, label: LANGUAGE_NAMES[value] }))}
          value={language}
          onChange={(value) => isLanguage(value) && setLanguage(value)}
          allowDeselect={false}
          data-testid="profile-language"
        />
        <Group>
          <Button type="submit" loading={update.isPending} disabled={name.trim() === user.name}>
            {t("settings.common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

/** The same switches as the bell menu, saved to the member's account. */
const NotificationsForm = () => {
  const { t } = useTranslation();
  const describeError = useErrorMessage();
  const preferences = useNotificationPreferences();
  const { save } = useSaveNotificationPreferences();
  const set = (changes: Partial<NotificationPreferences>) =>
    save(changes, {
      onError: (error) => notifications.show({ color: "red", title: t("preferences.saveFailed"), message: describeError(error) }),
    });

  return (
    <Stack gap="md" maw={480}>
      <Stack gap={4}>
        <Title order={2} fz="h4">
          {t("settings.profile.notificationsTitle")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("preferences.synced")}
        </Text>
      </Stack>
      <Switch
        label={t("notifications.sound")}
        checked={preferences.sound}
        onChange={(event) => set({ sound: event.currentTarget.checked })}
        data-testid="preference-sound"
      />
      <Switch
        label={t("notifications.desktop")}
        checked={preferences.desktop}
        onChange={(event) => {
          const isOn = event.currentTarget.checked;
          set({ desktop: isOn });
          if (isOn) void requestDesktopPermission();
        }}
        data-testid="preference-desktop"
      />
      <Text size="xs" fw={600} c="dimmed">
        {t("notifications.when")}
      </Text>
      {NOTIFICATION_KINDS.map((kind) => (
        <Switch
          key={kind}
          size="sm"
          label={t(`notifications.kinds.${kind}`)}
          checked={preferences[kind]}
          onChange={(event) => set({ [kind]: event.currentTarget.checked })}
          data-testid={`preference-${kind}`}
        />
      ))}
    </Stack>
  );
};

const PASSWORD_FIELDS = ["currentPassword", "newPassword"] as const;

const PasswordForm = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const change = useChangePassword();
  const errors = useServerErrors(PASSWORD_FIELDS);
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: (result) => {
          errors.reset();
          setCurrentPassword("");
          setNewPassword("");
          notify(
            t("settings.profile.passwordChanged"),
            t("settings.profile.passwordChangedMessage", { count: result.otherSessionsEnded }),
          );
        },
        onError: errors.handleError,
      },
    );
  };

  return (
    <form onSubmit={handleSubmit} noValidate>
      <Stack gap="md" maw={480}>
        <Stack gap={4}>
          <Title order={2} fz="h4">
            {t("settings.profile.passwordTitle")}
          </Title>
          <Text size="sm" c="dimmed">
            {t("settings.profile.passwordDescription")}
          </Text>
        </Stack>
        {errors.formError !== null && <FormErrorAlert error={errors.formError} />}
        <PasswordInput
          label={t("settings.profile.currentPassword")}
          value={currentPassword}
          onChange={(event) => {
            setCurrentPassword(event.currentTarget.value);
            errors.clearField("currentPassword");
          }}
          error={errors.fieldErrors.currentPassword}
          autoComplete="current-password"
          required
        />
        <PasswordInput
          label={t("settings.profile.newPassword")}
          value={newPassword}
          onChange={(event) => {
            setNewPassword(event.currentTarget.value);
            errors.clearField("newPassword");
          }}
          error={errors.fieldErrors.newPassword}
          autoComplete="new-password"
          required
        />
        <Group>
          <Button type="submit" loading={change.isPending} disabled={!currentPassword || !newPassword}>
            {t("settings.profile.changePassword")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
};

export const ProfilePage = () => {
  const { t } = useTranslation();
  return (
    <SettingsPage title={t("settings.profile.pageTitle")} description={t("settings.profile.description")}>
      <Card withBorder radius="md" padding="lg">
        <AvatarField />
      </Card>
      <Card withBorder radius="md" padding="lg">
        <ProfileForm />
      </Card>
      <Card withBorder radius="md" padding="lg">
        <NotificationsForm />
      </Card>
      <Card withBorder radius="md" padding="lg">
        <PasswordForm />
      </Card>
    </SettingsPage>
  );
};
