import { setPlatformAdmin } from "../modules/admin/platform.service.ts";
import { type AuditActor, SYSTEM_ACTOR } from "../modules/audit/audit.service.ts";
import type { Database } from "../platform/db.ts";

export const ADMIN_COMMANDS = ["admin:grant", "admin:revoke"] as const;
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];

export const isAdminCommand = (command: string): command is AdminCommand => ADMIN_COMMANDS.some((known) => known === command);

/** A mistake on the command line: printed as is, and the process exits with status 1. */
export class CliError extends Error {
  override name = "CliError";
}

const CLI_ACTOR: AuditActor = { ...SYSTEM_ACTOR, label: "parley command line" };

/** Checks the arguments before the database is opened, so a typo answers at once. */
export const parseAdminArguments = (command: AdminCommand, args: readonly string[]): { email: string } => {
  const [email, ...extra] = args;
  if (!email || extra.length > 0) throw new CliError(`Usage: parley ${command} <email>`);
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new CliError(`"${email}" is not an email address. Usage: parley ${command} <email>`);
  return { email };
};

/** `admin:grant` / `admin:revoke`: turns a user's Parley operator flag on or off and says what happened. */
export const runAdminCommand = async (db: Database, command: AdminCommand, email: string): Promise<string> => {
  const isGrant = command === "admin:grant";
  const change = await setPlatformAdmin(db, { email, isPlatformAdmin: isGrant, actor: CLI_ACTOR });
  if (!change) {
    throw new CliError(
      `No Parley user has the email ${email}. They must sign up (or be invited) before they can be made an operator.`,
    );
  }
  if (change.wasPlatformAdmin === change.isPlatformAdmin) {
    return isGrant
      ? `${change.email} was already a Parley operator; nothing changed.`
      : `${change.email} was not a Parley operator; nothing changed.`;
  }
  return isGrant
    ? `${change.email} (${change.name}) is now a Parley operator: they can list workspaces and users and suspend workspaces.`
    : `${change.email} (${change.name}) is no longer a Parley operator.`;
};
