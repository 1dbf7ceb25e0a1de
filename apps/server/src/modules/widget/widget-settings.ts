import {
  DEFAULT_WIDGET_SETTINGS,
  type TUpdateWidgetSettingsRequest,
  type TWidgetForm,
  type TWidgetSettings,
  ZWidgetSettings,
} from "@parley/shared";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { rooms } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { teams } from "../teams/teams.tables.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";

type SettingsServices = Pick<AppServices, "db" | "realtime">;

const SETTING_KEYS = Object.keys(ZWidgetSettings.shape) as Array<keyof TWidgetSettings>;

/**
 * The widget settings stored in a website inbox's channel config, over the defaults. Each setting
 * is read on its own, so one value the inbox API stored out of shape falls back alone.
 */
export const readWidgetSettings = (channelConfig: Record<string, unknown>): TWidgetSettings => {
  const stored = channelConfig.widget;
  const values: Record<string, unknown> = { ...DEFAULT_WIDGET_SETTINGS };
  if (stored && typeof stored === "object" && !Array.isArray(stored)) {
    for (const key of SETTING_KEYS) {
      const parsed = ZWidgetSettings.shape[key].safeParse((stored as Record<string, unknown>)[key]);
      if (parsed.success) values[key] = parsed.data;
    }
  }
  return ZWidgetSettings.parse(values);
};

const findWebsiteInboxOf = async (db: DatabaseOrTransaction, workspaceId: string, inboxId: string, forUpdate = false) => {
  const query = db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, workspaceId), isNull(inboxes.deletedAt)));
  const [inbox] = forUpdate ? await query.for("update") : await query;
  if (!inbox) throw new AppError("not_found", "No inbox with this id.");
  if (inbox.type !== "website") throw new AppError("bad_request", "Only website inboxes have a widget.");
  return inbox;
};

export const getWidgetSettings = async (db: DatabaseOrTransaction, workspaceId: string, inboxId: string) => ({
  settings: readWidgetSettings((await findWebsiteInboxOf(db, workspaceId, inboxId)).channelConfig),
});

/** Whether the workspace may hide "Powered by Parley" on its widgets. */
export const canRemoveBranding = async (db: DatabaseOrTransaction, workspaceId: string): Promise<boolean> => {
  const [row] = await db
    .select({ allowed: workspaces.allowBrandingRemoval })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.allowed ?? false;
};

/** A `department` field offers teams: its options must be this workspace's team ids. */
const assertDepartmentOptions = async (db: DatabaseOrTransaction, workspaceId: string, form: TWidgetForm, path: string) => {
  for (const [index, field] of form.fields.entries()) {
    if (field.key !== "department") continue;
    if (field.type !== "select") {
      throw new AppError("validation_failed", "The department field is a choice of teams.", [
        { path: `${path}.fields.${index}.type`, message: 'use "select"' },
      ]);
    }
    const options = field.options ?? [];
    const known = options.length
      ? await db
          .select({ id: teams.id })
          .from(teams)
          .where(
            and(
              eq(teams.workspaceId, workspaceId),
              inArray(
                teams.id,
                options.filter((option) => /^[0-9a-f-]{36}$/i.test(option)),
              ),
            ),
          )
      : [];
    if (known.length !== new Set(options).size) {
      throw new AppError("validation_failed", "A department option is not a team of this workspace.", [
        { path: `${path}.fields.${index}.options`, message: "use team ids" },
      ]);
    }
  }
};

/**
 * The settings as widgets get them: department options (team ids) carry their team names, so
 * visitors choose "Billing", not an id. Names are read now, so a renamed team shows its new name.
 */
export const settingsForWidget = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  settings: TWidgetSettings,
): Promise<TWidgetSettings> => {
  const teamIds = [settings.preChatForm, settings.offlineForm]
    .flatMap((form) => form.fields)
    .filter((field) => field.key === "department")
    .flatMap((field) => field.options ?? [])
    .filter((option) => /^[0-9a-f-]{36}$/i.test(option));
  if (teamIds.length === 0) return settings;
  const names = new Map(
    (
      await db
        .select({ id: teams.id, name: teams.name })
        .from(teams)
        .where(and(eq(teams.workspaceId, workspaceId), inArray(teams.id, [...new Set(teamIds)])))
    ).map((team) => [team.id, team.name]),
  );
  const label = (form: TWidgetForm): TWidgetForm => ({
    ...form,
    fields: form.fields.map((field) =>
      field.key === "department"
        ? { ...field, optionLabels: Object.fromEntries((field.options ?? []).map((id) => [id, names.get(id) ?? id])) }
        : field,
    ),
  });
  return { ...settings, preChatForm: label(settings.preChatForm), offlineForm: label(settings.offlineForm) };
};

/** Labels are derived, never stored: they would go stale when a team is renamed. */
const withoutLabels = (form: TWidgetForm): TWidgetForm => ({
  ...form,
  fields: form.fields.map(({ optionLabels: _labels, ...field }) => field),
});

/** A partial change of an inbox's widget look and forms; open widgets of the inbox get the new settings at once. */
export const updateWidgetSettings = async (
  services: SettingsServices,
  workspaceId: string,
  inboxId: string,
  changes: TUpdateWidgetSettingsRequest,
  actor: AuditActor,
): Promise<{ settings: TWidgetSettings }> => {
  const outcome = await services.db.transaction(async (tx) => {
    const inbox = await findWebsiteInboxOf(tx, workspaceId, inboxId, true);
    const before = readWidgetSettings(inbox.channelConfig);
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const merged: TWidgetSettings = { ...before, ...defined };
    const after: TWidgetSettings = {
      ...merged,
      preChatForm: withoutLabels(merged.preChatForm),
      offlineForm: withoutLabels(merged.offlineForm),
    };
    if (!after.showBranding && before.showBranding && !(await canRemoveBranding(tx, workspaceId))) {
      throw new AppError(
        "forbidden",
        'Hiding "Powered by Parley" needs the workspace\'s branding setting, which an admin turns on.',
        undefined,
        { reason: "branding_removal_not_allowed" },
      );
    }
    if (changes.preChatForm) await assertDepartmentOptions(tx, workspaceId, changes.preChatForm, "body.preChatForm");
    if (changes.offlineForm) await assertDepartmentOptions(tx, workspaceId, changes.offlineForm, "body.offlineForm");
    const diff = changedFields(before, after);
    if (!diff) return { settings: before, entry: null };
    await tx
      .update(inboxes)
      .set({ channelConfig: { ...inbox.channelConfig, widget: after }, updatedAt: new Date() })
      .where(eq(inboxes.id, inbox.id));
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "inbox.widget_settings_updated",
      target: { type: "inbox", id: inbox.id, label: inbox.name },
      ...diff,
    });
    return { settings: after, entry };
  });
  if (outcome.entry) {
    publishAudit(services.realtime, workspaceId, outcome.entry);
    services.realtime.emitToVisitors(rooms.inboxVisitors(inboxId), "widget.settings", {
      settings: await settingsForWidget(services.db, workspaceId, outcome.settings),
    });
  }
  return { settings: outcome.settings };
};

/** Turns the workspace's permission to hide "Powered by Parley" on or off (admins). */
export const setBrandingRemoval = async (
  services: SettingsServices,
  workspaceId: string,
  isAllowed: boolean,
  actor: AuditActor,
): Promise<{ canRemoveBranding: boolean }> => {
  const entry = await services.db.transaction(async (tx) => {
    const [before] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId)).for("update");
    if (!before) throw new AppError("not_found", "This workspace no longer exists.");
    if (before.allowBrandingRemoval === isAllowed) return null;
    await tx
      .update(workspaces)
      .set({ allowBrandingRemoval: isAllowed, updatedAt: new Date() })
      .where(eq(workspaces.id, workspaceId));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "workspace.branding_updated",
      target: { type: "workspace", id: workspaceId, label: before.name },
      before: { allowBrandingRemoval: before.allowBrandingRemoval },
      after: { allowBrandingRemoval: isAllowed },
    });
  });
  if (entry) publishAudit(services.realtime, workspaceId, entry);
  return { canRemoveBranding: isAllowed };
};
