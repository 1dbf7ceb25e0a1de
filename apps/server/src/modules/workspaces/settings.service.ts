import {
  DATE_FORMATS,
  type TSecuritySettings,
  type TUpdateSecuritySettingsRequest,
  type TUpdateWorkspaceSettingsRequest,
  type TWorkspaceSettings,
} from "@parley/shared";
import { eq } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { isIpAllowed } from "../../platform/ip-allowlist.ts";
import { type RealtimePublisher, rooms } from "../../platform/realtime.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { toWorkspaceDto } from "./workspaces.service.ts";
import { workspaces } from "./workspaces.tables.ts";

type WorkspaceRow = typeof workspaces.$inferSelect;

const toSettingsDto = (workspace: WorkspaceRow): TWorkspaceSettings => ({
  id: workspace.id,
  name: workspace.name,
  slug: workspace.slug,
  logoUrl: workspace.logoUrl,
  timezone: workspace.timezone,
  defaultLanguage: workspace.defaultLanguage,
  dateFormat: DATE_FORMATS.find((format) => format === workspace.dateFormat) ?? "YYYY-MM-DD",
  timeFormat: workspace.timeFormat,
  weekStart: workspace.weekStart,
  updatedAt: workspace.updatedAt.toISOString(),
});

const toSecurityDto = (workspace: WorkspaceRow): TSecuritySettings => ({
  requireTwoFactor: workspace.requireTwoFactor,
  sessionIdleMinutes: workspace.sessionIdleMinutes,
  sessionAbsoluteHours: workspace.sessionAbsoluteHours,
  ipAllowlist: workspace.ipAllowlist,
  passwordMinLength: workspace.passwordMinLength,
  passwordExpiryDays: workspace.passwordExpiryDays,
  passwordHistoryCount: workspace.passwordHistoryCount,
  anonymousVisitorRetentionDays: workspace.anonymousVisitorRetentionDays,
});

const findWorkspace = async (db: Database, workspaceId: string): Promise<WorkspaceRow> => {
  const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!workspace) throw new AppError("not_found", "This workspace no longer exists.");
  return workspace;
};

/**
 * Applies a partial change under a row lock and audits only what changed. Fields absent from
 * `changes` stay as they are (request bodies never hold `undefined`); `null` clears a field.
 * `guard` sees the row before the change and may refuse it.
 */
const updateWorkspaceColumns = async <T extends Partial<typeof workspaces.$inferInsert>>(
  db: Database,
  realtime: RealtimePublisher,
  input: {
    workspaceId: string;
    pick: (workspace: WorkspaceRow) => T;
    changes: Partial<T>;
    actor: AuditActor;
    action: string;
    guard?: (before: WorkspaceRow) => Promise<void>;
  },
): Promise<{ before: WorkspaceRow; after: WorkspaceRow }> => {
  const result = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(workspaces).where(eq(workspaces.id, input.workspaceId)).for("update");
    if (!before) throw new AppError("not_found", "This workspace no longer exists.");
    await input.guard?.(before);
    const current = input.pick(before);
    const diff = changedFields(current, { ...current, ...input.changes });
    if (!diff) return { before, after: before, entry: null };
    const [after] = await tx
      .update(workspaces)
      .set({ ...diff.after, updatedAt: new Date() })
      .where(eq(workspaces.id, input.workspaceId))
      .returning();
    if (!after) throw new AppError("not_found", "This workspace no longer exists.");
    const entry = await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: input.action,
      target: { type: "workspace", id: input.workspaceId, label: after.name },
      ...diff,
    });
    return { before, after, entry };
  });
  if (result.entry) publishAudit(realtime, input.workspaceId, result.entry);
  return result;
};

const settingsOf = (workspace: WorkspaceRow) => ({
  name: workspace.name,
  logoUrl: workspace.logoUrl,
  timezone: workspace.timezone,
  defaultLanguage: workspace.defaultLanguage,
  dateFormat: workspace.dateFormat,
  timeFormat: workspace.timeFormat,
  weekStart: workspace.weekStart,
});

export const getWorkspaceSettings = async (db: Database, workspaceId: string): Promise<TWorkspaceSettings> =>
  toSettingsDto(await findWorkspace(db, workspaceId));

export const updateWorkspaceSettings = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  changes: TUpdateWorkspaceSettingsRequest,
  actor: AuditActor,
): Promise<TWorkspaceSettings> => {
  const { before, after } = await updateWorkspaceColumns(db, realtime, {
    workspaceId,
    pick: settingsOf,
    changes,
    actor,
    action: "workspace.updated",
  });
  // Open dashboards show the workspace name: the same live event as a rename through /workspaces/current.
  if (after.name !== before.name) {
    realtime.emitToAgents(rooms.workspace(workspaceId), "workspace.updated", { workspace: toWorkspaceDto(after) });
  }
  return toSettingsDto(after);
};

export const getSecuritySettings = async (db: Database, workspaceId: string): Promise<TSecuritySettings> =>
  toSecurityDto(await findWorkspace(db, workspaceId));

/**
 * Changes the workspace's security policy. Refuses changes that would lock the caller out at once:
 * an allowlist without their own address, or requiring 2FA before they have it.
 */
export const updateSecuritySettings = async (
  db: Database,
  realtime: RealtimePublisher,
  input: {
    workspaceId: string;
    changes: TUpdateSecuritySettingsRequest;
    actor: AuditActor;
    callerIp: string;
    /** The member making the change; null for an API key, which has no second factor to lose. */
    callerUserId: string | null;
  },
): Promise<TSecuritySettings> => {
  const { changes } = input;
  const ipAllowlist = changes.ipAllowlist === undefined ? undefined : [...new Set(changes.ipAllowlist)];
  const { after } = await updateWorkspaceColumns(db, realtime, {
    workspaceId: input.workspaceId,
    pick: toSecurityDto,
    changes: { ...changes, ...(ipAllowlist === undefined ? {} : { ipAllowlist }) },
    actor: input.actor,
    action: "workspace.security_updated",
    guard: async (before) => {
      if (ipAllowlist !== undefined && !isIpAllowed(input.callerIp, ipAllowlist)) {
        throw new AppError(
          "lockout_risk",
          `This allowlist does not include your own address (${input.callerIp}); add it, or you would be locked out.`,
          { ip: input.callerIp },
        );
      }
      if (changes.requireTwoFactor === true && !before.requireTwoFactor && input.callerUserId !== null) {
        const [caller] = await db
          .select({ totpEnabledAt: users.totpEnabledAt })
          .from(users)
          .where(eq(users.id, input.callerUserId));
        if (!caller || caller.totpEnabledAt === null) {
          throw new AppError(
            "lockout_risk",
            "Set up two-factor authentication for your own account first, then require it for the workspace.",
          );
        }
      }
    },
  });
  return toSecurityDto(after);
};
