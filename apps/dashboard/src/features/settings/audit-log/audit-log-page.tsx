import { Badge, Button, Card, Code, Group, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { type TAuditEntry, type TAuditLogFilter, ZAuditLogFilter } from "@parley/shared";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { collectIssues } from "../../../lib/use-form-fields";
import { useFormatDateTime } from "../../../lib/use-format-date-time";
import { useHasPermission } from "../../auth/hooks/use-permissions";
import { useAgentSocketEvent } from "../../realtime/hooks/use-agent-socket";
import { SettingsPage } from "../components/settings-page";
import { SettingsTable } from "../components/settings-table";
import { useActiveMembers } from "../lib/directory-api";
import { AuditEntryDrawer } from "./audit-entry-drawer";
import { auditExportUrl, matchesAuditFilter, prependAuditEntry, useAuditLog } from "./audit-log-api";

type Draft = { search: string; action: string; actorType: string; actorId: string; targetType: string; from: string; to: string };
const EMPTY_DRAFT: Draft = { search: "", action: "", actorType: "", actorId: "", targetType: "", from: "", to: "" };
const FIELDS = ["search", "action", "actorType", "actorId", "targetType", "from", "to"] as const;
const ACTOR_TYPES = ["user", "api_key", "system"] as const;

/** A local date and time from the picker, as an ISO instant. */
const toIso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

export const AuditLogPage = () => {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [filter, setFilter] = useState<TAuditLogFilter>({});
  const [errors, setErrors] = useState<Partial<Record<(typeof FIELDS)[number], string>>>({});
  const [isLive, setIsLive] = useState(true);
  const [liveCount, setLiveCount] = useState(0);
  const [selected, setSelected] = useState<TAuditEntry | null>(null);
  const log = useAuditLog(filter);
  // Filtering by person needs the member list, which only members.view may read.
  const members = useActiveMembers(useHasPermission()("members.view"));

  useAgentSocketEvent("audit.created", ({ entry }) => {
    if (!isLive || !matchesAuditFilter(entry, filter)) return;
    prependAuditEntry(queryClient, filter, entry);
    setLiveCount((count) => count + 1);
  });

  const setField = (field: keyof Draft, value: string) => {
    setDraft((previous) => ({ ...previous, [field]: value }));
    setErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = ZAuditLogFilter.safeParse({
      search: draft.search.trim() || undefined,
      action: draft.action.trim() || undefined,
      actorType: draft.actorType || undefined,
      actorId: draft.actorId || undefined,
      targetType: draft.targetType.trim() || undefined,
      from: toIso(draft.from),
      to: toIso(draft.to),
    });
    if (!parsed.success) {
      setErrors(collectIssues(FIELDS, parsed.error.issues, (_field, issue) => issue.message));
      return;
    }
    setErrors({});
    setLiveCount(0);
    setFilter(parsed.data);
  };

  return (
    <SettingsPage
      title={t("settings.audit.pageTitle")}
      description={t("settings.audit.description")}
      actions={
        <Button component="a" href={auditExportUrl(filter)} download variant="default">
          {t("settings.audit.export")}
        </Button>
      }
    >
      <Card withBorder radius="md" padding="lg">
        <form onSubmit={handleSubmit} noValidate aria-label={t("settings.audit.filters")}>
          <Stack gap="sm">
            <Group gap="sm" align="flex-start" grow>
              <TextInput
                label={t("settings.audit.search")}
                placeholder={t("settings.audit.searchHint")}
                value={draft.search}
                onChange={(event) => setField("search", event.currentTarget.value)}
                error={errors.search}
              />
              <TextInput
                label={t("settings.audit.action")}
                placeholder={t("settings.audit.actionHint")}
                value={draft.action}
                onChange={(event) => setField("action", event.currentTarget.value)}
                error={errors.action}
                dir="ltr"
              />
              <Select
                label={t("settings.audit.actorType")}
                data={[
                  { value: "", label: t("settings.audit.actorTypes.any") },
                  ...ACTOR_TYPES.map((value) => ({ value, label: t(`settings.audit.actorTypes.${value}`) })),
                ]}
                value={draft.actorType}
                onChange={(value) => setField("actorType", value ?? "")}
                allowDeselect={false}
              />
            </Group>
            <Group gap="sm" align="flex-start" grow>
              <Select
                label={t("settings.audit.actor")}
                placeholder={t("settings.audit.anyMember")}
                data={(members.data ?? []).map((member) => ({ value: member.user.id, label: member.user.name }))}
                value={draft.actorId || null}
                onChange={(value) => setField("actorId", value ?? "")}
                error={errors.actorId}
                searchable
                clearable
                disabled={!members.data}
              />
              <TextInput
                label={t("settings.audit.targetType")}
                placeholder={t("settings.audit.targetTypeHint")}
                value={draft.targetType}
                onChange={(event) => setField("targetType", event.currentTarget.value)}
                error={errors.targetType}
                dir="ltr"
              />
              <TextInput
                type="datetime-local"
                label={t("settings.audit.from")}
                value={draft.from}
                onChange={(event) => setField("from", event.currentTarget.value)}
                error={errors.from}
              />
              <TextInput
                type="datetime-local"
                label={t("settings.audit.to")}
                value={draft.to}
                onChange={(event) => setField("to", event.currentTarget.value)}
                error={errors.to}
              />
            </Group>
            <Group justify="space-between">
              <Group gap="sm">
                <Button type="submit">{t("settings.audit.apply")}</Button>
                <Button
                  variant="subtle"
                  onClick={() => {
                    setDraft(EMPTY_DRAFT);
                    setErrors({});
                    setLiveCount(0);
                    setFilter({});
                  }}
                >
                  {t("settings.audit.reset")}
                </Button>
              </Group>
              <Group gap="sm">
                {liveCount > 0 && (
                  <Badge miw="fit-content" variant="light" color="teal" data-testid="audit-live-count">
                    {t("settings.audit.newEntries", { count: liveCount })}
                  </Badge>
                )}
                <Switch
                  label={t("settings.audit.live")}
                  description={t("settings.audit.liveHint")}
                  checked={isLive}
                  onChange={(event) => setIsLive(event.currentTarget.checked)}
                />
              </Group>
            </Group>
          </Stack>
        </form>
      </Card>
      <SettingsTable
        query={log}
        label={t("settings.audit.tableLabel")}
        empty={{ title: t("settings.audit.empty.title"), description: t("settings.audit.empty.description") }}
        minWidth={860}
        rowTestId="audit-entry"
        columns={[
          {
            header: t("settings.audit.columns.time"),
            cell: (entry) => (
              <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                {formatDateTime(entry.createdAt)}
              </Text>
            ),
          },
          { header: t("settings.audit.columns.actor"), cell: (entry) => <Text size="sm">{entry.actor.label}</Text> },
          { header: t("settings.audit.columns.action"), cell: (entry) => <Code dir="ltr">{entry.action}</Code> },
          {
            header: t("settings.audit.columns.target"),
            maw: 260,
            cell: (entry) => (
              <Text size="sm" lineClamp={1}>
                {entry.target.type}
                {entry.target.label ? ` · ${entry.target.label}` : ""}
              </Text>
            ),
          },
          {
            header: t("settings.audit.columns.ip"),
            cell: (entry) => (
              <Text size="sm" dir="ltr">
                {entry.ip ?? "—"}
              </Text>
            ),
          },
          {
            header: t("settings.common.actions"),
            cell: (entry) => (
              <Button size="xs" variant="subtle" onClick={() => setSelected(entry)}>
                {t("settings.audit.details")}
              </Button>
            ),
          },
        ]}
      />
      <AuditEntryDrawer entry={selected} onClose={() => setSelected(null)} />
    </SettingsPage>
  );
};
