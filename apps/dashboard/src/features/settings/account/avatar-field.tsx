import { Alert, Button, FileButton, Group, Progress, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { MemberAvatar } from "../../../components/member-avatar";
import { useErrorMessage } from "../../../lib/use-error-message";
import { useSession } from "../../auth/hooks/use-session";
import { useNotifySaved } from "../lib/use-notify";
import { AVATAR_MAX_BYTES, AVATAR_TYPES, useRemoveAvatar, useUploadAvatar } from "./account-api";

const isAcceptedType = (type: string) => AVATAR_TYPES.some((accepted) => accepted === type);

/** The member's profile picture: a preview with their initials as fallback, upload with progress, and removal. */
export const AvatarField = () => {
  const { t } = useTranslation();
  const notify = useNotifySaved();
  const describeError = useErrorMessage();
  const { user } = useSession();
  const [progress, setProgress] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useUploadAvatar(setProgress);
  const remove = useRemoveAvatar();

  const handleFile = (file: File | null) => {
    if (!file) return;
    setProblem(null);
    if (!isAcceptedType(file.type)) return setProblem(t("settings.profile.avatar.wrongType"));
    if (file.size > AVATAR_MAX_BYTES) {
      return setProblem(t("settings.profile.avatar.tooBig", { size: (file.size / (1024 * 1024)).toFixed(1) }));
    }
    setProgress(0);
    upload.mutate(file, {
      onSuccess: () => notify(t("settings.common.saved"), t("settings.profile.avatar.updated")),
      onError: (error) => setProblem(describeError(error)),
    });
  };

  const handleRemove = () => {
    setProblem(null);
    remove.mutate(undefined, {
      onSuccess: () => notify(t("settings.common.saved"), t("settings.profile.avatar.removed")),
      onError: (error) => setProblem(describeError(error)),
    });
  };

  return (
    <Stack gap="sm" maw={480}>
      <Stack gap={4}>
        <Title order={2} fz="h4">
          {t("settings.profile.avatar.title")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.profile.avatar.hint")}
        </Text>
      </Stack>
      <Group gap="md" wrap="nowrap">
        <MemberAvatar name={user.name} avatarUrl={user.avatarUrl} size={72} data-testid="profile-avatar-preview" />
        <Group gap="xs">
          <FileButton onChange={handleFile} accept={AVATAR_TYPES.join(",")} disabled={upload.isPending}>
            {(props) => (
              <Button {...props} variant="default" loading={upload.isPending} data-testid="avatar-upload">
                {user.avatarUrl ? t("settings.profile.avatar.replace") : t("settings.profile.avatar.upload")}
              </Button>
            )}
          </FileButton>
          {user.avatarUrl !== null && (
            <Button
              variant="subtle"
              color="red"
              onClick={handleRemove}
              loading={remove.isPending}
              disabled={upload.isPending}
              data-testid="avatar-remove"
            >
              {t("settings.profile.avatar.remove")}
            </Button>
          )}
        </Group>
      </Group>
      {upload.isPending && (
        <Stack gap={4}>
          <Progress value={progress} size="sm" aria-label={t("settings.profile.avatar.uploading", { percent: progress })} />
          <Text size="xs" c="dimmed">
            {t("settings.profile.avatar.uploading", { percent: progress })}
          </Text>
        </Stack>
      )}
      {problem !== null && (
        <Alert color="red" variant="light" data-testid="avatar-error">
          {problem}
        </Alert>
      )}
    </Stack>
  );
};
