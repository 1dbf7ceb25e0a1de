import { Button, Card, Group, Skeleton, Stack, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { ZUpdateWorkspaceRequest } from "@parley/shared";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormErrorAlert } from "../../../components/form-error-alert";
import { QueryErrorAlert } from "../../../components/query-error-alert";
import { isApiError } from "../../../lib/api-client";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { RegionalSettingsSection } from "../../settings/general/regional-settings-form";
import { useCurrentWorkspace } from "../hooks/use-current-workspace";
import { useRenameWorkspace } from "../hooks/use-rename-workspace";

const SettingsSkeleton = () => (
  <Stack gap="md" aria-busy="true">
    <Skeleton height={14} width={140} />
    <Skeleton height={36} />
    <Skeleton height={14} width={220} />
    <Skeleton height={36} width={140} />
  </Stack>
);

export const WorkspaceSettingsPage = () => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const workspace = useCurrentWorkspace();
  const rename = useRenameWorkspace();
  // Untouched (null), the field follows the workspace, including renames pushed from other tabs.
  const [draftName, setDraftName] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const [formError, setFormError] = useState<unknown>(null);

  const currentName = workspace.data?.name ?? "";
  const name = draftName ?? currentName;

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const parsed = ZUpdateWorkspaceRequest.safeParse({ name });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setNameError(
        issue?.code === "too_big"
          ? t("validation.tooLong", { max: Number(issue.maximum) })
          : t("validation.workspaceNameRequired"),
      );
      return;
    }
    rename.mutate(parsed.data, {
      onSuccess: (updated) => {
        setDraftName(null);
        notifications.show({
          color: "teal",
          title: t("workspaceSettings.renamedTitle"),
          message: t("workspaceSettings.renamedMessage", { name: updated.name }),
        });
      },
      onError: (error) => {
        const serverNameError = isApiError(error) ? error.fieldErrors.name : undefined;
        if (serverNameError) setNameError(serverNameError);
        else setFormError(error);
      },
    });
  };

  return (
    <Stack gap="lg" maw={720}>
      <title>{`${t("workspaceSettings.pageTitle")} · ${t("app.name")}`}</title>
      <Stack gap={4}>
        <Title order={1} fz="h2">
          {t("workspaceSettings.pageTitle")}
        </Title>
        <Text c="dimmed">{t("workspaceSettings.description")}</Text>
      </Stack>
      <Card withBorder radius="md" padding="lg">
        {workspace.isPending && <SettingsSkeleton />}
        {workspace.isError && (
          <QueryErrorAlert
            title={t("workspaceSettings.loadFailed")}
            error={workspace.error}
            onRetry={() => void workspace.refetch()}
            isRetrying={workspace.isFetching}
          />
        )}
        {workspace.data && (
          <form onSubmit={handleSubmit} noValidate>
            <Stack gap="md">
              {formError !== null && <FormErrorAlert error={formError} />}
              <TextInput
                label={t("workspaceSettings.nameLabel")}
                value={name}
                error={nameError}
                required
                maxLength={120}
                onChange={(event) => {
                  setDraftName(event.currentTarget.value);
                  setNameError(undefined);
                }}
              />
              <Group gap="xl">
                <Stack gap={2}>
                  <Text size="xs" c="dimmed">
                    {t("workspaceSettings.slugLabel")}
                  </Text>
                  <Text size="sm" ff="monospace" dir="ltr">
                    {workspace.data.slug}
                  </Text>
                </Stack>
                <Stack gap={2}>
                  <Text size="xs" c="dimmed">
                    {t("workspaceSettings.createdLabel")}
                  </Text>
                  <Text size="sm">{formatDateTime(workspace.data.createdAt)}</Text>
                </Stack>
              </Group>
              <Group>
                <Button type="submit" loading={rename.isPending} disabled={name.trim() === currentName}>
                  {t("workspaceSettings.save")}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Card>
      <Card withBorder radius="md" padding="lg">
        <RegionalSettingsSection />
      </Card>
    </Stack>
  );
};
