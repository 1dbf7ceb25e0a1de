import { createHash, randomBytes } from "node:crypto";
import type { TCreateInvitationRequest, TInvitation, TInvitationStatus, TTeamSummary } from "@parley/shared";
import { and, desc, eq, gt, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Config } from "../../platform/config.ts";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import type { Mailer } from "../../platform/mail/mailer.ts";
import { renderMail } from "../../platform/mail/templates.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { assertMayHandleRole, findRole, unknownRoleError } from "../roles/roles.service.ts";
import { findTeams } from "../teams/teams.service.ts";
import { toRoleSummary } from "../workspaces/workspaces.service.ts";
import { roles, workspaces } from "../workspaces/workspaces.tables.ts";
import { invitations } from "./invitations.tables.ts";
import { findMembershipByEmail } from "./members.service.ts";

export const INVITATION_TTL_MS = 7 * 86_400_000;
/** A resend within this long of the last send is refused: one click is enough, and mailboxes are not ours to flood. */
export const RESEND_COOLDOWN_MS = 60_000;

export type InvitationRow = typeof invitations.$inferSelect;

const INVITATION_NOT_FOUND = "No invitation with this id in this workspace.";
export const INVALID_LINK =
  "This invitation link is no longer valid: it was already used, revoked, replaced by a newer one, or it expired. Ask the workspace admin for a new invitation.";

const newInvitationToken = (): string => `inv_${randomBytes(32).toString("base64url")}`;
export const hashInvitationToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export const statusOf = (
  row: Pick<InvitationRow, "acceptedAt" | "revokedAt" | "expiresAt">,
  now = Date.now(),
): TInvitationStatus => {
  if (row.acceptedAt !== null) return "accepted";
  if (row.revokedAt !== null) return "revoked";
  if (row.expiresAt.getTime() <= now) return "expired";
  return "pending";
};

const pendingSql = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql`now()`));

const statusFilter = (status: TInvitationStatus): SQL | undefined => {
  switch (status) {
    case "pending":
      return pendingSql;
    case "accepted":
      return isNotNull(invitations.acceptedAt);
    case "revoked":
      return and(isNull(invitations.acceptedAt), isNotNull(invitations.revokedAt));
    case "expired":
      return and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), lte(invitations.expiresAt, sql`now()`));
  }
};

const inviters = alias(users, "inviter");

const selectInvitations = (db: DatabaseOrTransaction) =>
  db
    .select({
      invitation: invitations,
      role: { id: roles.id, key: roles.key, name: roles.name },
      invitedBy: { id: inviters.id, name: inviters.name, email: inviters.email },
    })
    .from(invitations)
    .innerJoin(roles, eq(roles.id, invitations.roleId))
    .leftJoin(inviters, eq(inviters.id, invitations.invitedByUserId));

type InvitationListRow = Awaited<ReturnType<ReturnType<typeof selectInvitations>["where"]>>[number];

const toInvitationDto = (row: InvitationListRow, teamsById: ReadonlyMap<string, TTeamSummary>): TInvitation => {
  const { invitation } = row;
  return {
    id: invitation.id,
    email: invitation.email,
    role: toRoleSummary(row.role),
    teams: invitation.teamIds.flatMap((id) => teamsById.get(id) ?? []),
    status: statusOf(invitation),
    invitedBy: row.invitedBy,
    expiresAt: invitation.expiresAt.toISOString(),
    acceptedAt: invitation.acceptedAt?.toISOString() ?? null,
    revokedAt: invitation.revokedAt?.toISOString() ?? null,
    lastSentAt: invitation.lastSentAt.toISOString(),
    sendCount: invitation.sendCount,
    createdAt: invitation.createdAt.toISOString(),
  };
};

/** DTOs for invitations of one workspace, looking their teams up in one query. */
const toInvitationDtos = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  rows: readonly InvitationListRow[],
): Promise<TInvitation[]> => {
  const teamIds = [...new Set(rows.flatMap((row) => row.invitation.teamIds))];
  const teamsById = new Map((await findTeams(db, workspaceId, teamIds)).map((team) => [team.id, team]));
  return rows.map((row) => toInvitationDto(row, teamsById));
};

const getInvitation = async (db: DatabaseOrTransaction, workspaceId: string, invitationId: string): Promise<TInvitation> => {
  const rows = await selectInvitations(db).where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, invitationId)));
  const [invitation] = await toInvitationDtos(db, workspaceId, rows);
  if (!invitation) throw new AppError("not_found", INVITATION_NOT_FOUND);
  return invitation;
};

/** Pending invitations first, then the rest, newest first. */
export const listInvitations = async (
  db: Database,
  workspaceId: string,
  status: TInvitationStatus | undefined,
): Promise<TInvitation[]> => {
  const rows = await selectInvitations(db)
    .where(and(eq(invitations.workspaceId, workspaceId), status ? statusFilter(status) : undefined))
    .orderBy(sql`case when ${pendingSql} then 0 else 1 end`, desc(invitations.id));
  return toInvitationDtos(db, workspaceId, rows);
};

export const workspaceOf = async (db: DatabaseOrTransaction, workspaceId: string) => {
  const [workspace] = await db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      suspendedAt: workspaces.suspendedAt,
      passwordMinLength: workspaces.passwordMinLength,
    })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!workspace) throw new AppError("not_found", "This workspace no longer exists.");
  return workspace;
};

const inviterName = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<string> => {
  if (identity.userId === null) return identity.actorLabel;
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, identity.userId));
  return user?.name ?? identity.actorLabel;
};

const queueInvitationMail = async (
  tx: DatabaseOrTransaction,
  mailer: Mailer,
  config: Pick<Config, "publicUrl">,
  input: { email: string; token: string; workspace: { id: string; name: string }; roleName: string; inviter: string },
): Promise<void> => {
  const url = `${config.publicUrl}/accept-invitation?token=${encodeURIComponent(input.token)}`;
  await mailer.queue(tx, {
    to: input.email,
    workspaceId: input.workspace.id,
    ...renderMail({
      subject: `${input.inviter} invited you to ${input.workspace.name} on Parley`,
      heading: `Join ${input.workspace.name} on Parley`,
      paragraphs: [
        `${input.inviter} invited you to join ${input.workspace.name} as ${input.roleName}.`,
        "The link works once and expires in 7 days.",
      ],
      action: { label: "Accept the invitation", url },
      footer: "You receive this because someone invited this address to a Parley workspace. If you did not expect it, ignore it.",
    }),
  });
};

const assertNotMember = async (db: DatabaseOrTransaction, workspaceId: string, email: string): Promise<void> => {
  const membership = await findMembershipByEmail(db, workspaceId, email);
  if (!membership) return;
  const isActive = membership.status === "active";
  throw new AppError(
    "conflict",
    isActive
      ? `${email} is already a member of this workspace.`
      : `${email} is a deactivated member of this workspace; reactivate them instead of inviting them.`,
    [{ path: "body.email", message: "already a member" }],
    { reason: isActive ? "invitee_already_member" : "invitee_deactivated", params: { email } },
  );
};

type MailContext = { mailer: Mailer; config: Pick<Config, "publicUrl"> };

export const createInvitation = async (
  db: Database,
  realtime: RealtimePublisher,
  mail: MailContext,
  identity: RequestIdentity,
  input: TCreateInvitationRequest,
  actor: AuditActor,
): Promise<TInvitation> => {
  const { workspaceId } = identity;
  const { invitationId, entry } = await db.transaction(async (tx) => {
    const role = await findRole(tx, workspaceId, input.roleId);
    if (!role) throw unknownRoleError("body.roleId");
    await assertMayHandleRole(tx, identity, role, `invite someone as ${role.name}`);
    const teams = await findTeams(tx, workspaceId, input.teamIds);
    const missingTeams = input.teamIds.filter((id) => !teams.some((team) => team.id === id));
    if (missingTeams.length > 0) {
      throw new AppError(
        "validation_failed",
        `These teams do not exist in this workspace: ${missingTeams.join(", ")}.`,
        missingTeams.map((id) => ({ path: "body.teamIds", message: "no such team in this workspace", value: id })),
      );
    }
    await assertNotMember(tx, workspaceId, input.email);
    // One live invitation per address: a new one replaces the old, whose link stops working.
    const replaced = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.workspaceId, workspaceId), sql`lower(${invitations.email}) = ${input.email}`, pendingSql))
      .returning({ id: invitations.id });
    const token = newInvitationToken();
    const [invitation] = await tx
      .insert(invitations)
      .values({
        workspaceId,
        email: input.email,
        roleId: role.id,
        teamIds: teams.map((team) => team.id),
        tokenHash: hashInvitationToken(token),
        invitedByUserId: identity.userId,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning();
    if (!invitation) throw new Error("invitation insert returned no row");
    const workspace = await workspaceOf(tx, workspaceId);
    await queueInvitationMail(tx, mail.mailer, mail.config, {
      email: input.email,
      token,
      workspace,
      roleName: role.name,
      inviter: await inviterName(tx, identity),
    });
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "invitation.created",
      target: { type: "invitation", id: invitation.id, label: input.email },
      after: {
        email: input.email,
        role: role.name,
        teams: teams.map((team) => team.name),
        ...(replaced.length > 0 ? { replacedInvitationIds: replaced.map((row) => row.id) } : {}),
      },
    });
    return { invitationId: invitation.id, entry };
  });
  publishAudit(realtime, workspaceId, entry);
  return getInvitation(db, workspaceId, invitationId);
};

const lockInvitation = async (tx: DatabaseOrTransaction, workspaceId: string, invitationId: string): Promise<InvitationRow> => {
  const [invitation] = await tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, invitationId)))
    .for("update");
  if (!invitation) throw new AppError("not_found", INVITATION_NOT_FOUND);
  return invitation;
};

/** A new link (the old one stops working) and seven more days; works on expired invitations too. */
export const resendInvitation = async (
  db: Database,
  realtime: RealtimePublisher,
  mail: MailContext,
  identity: RequestIdentity,
  invitationId: string,
  actor: AuditActor,
): Promise<TInvitation> => {
  const { workspaceId } = identity;
  const entry = await db.transaction(async (tx) => {
    const invitation = await lockInvitation(tx, workspaceId, invitationId);
    const status = statusOf(invitation);
    if (status === "accepted" || status === "revoked") {
      throw new AppError("conflict", `This invitation was ${status}; send a new invitation instead.`, undefined, {
        reason: status === "accepted" ? "invitation_accepted" : "invitation_revoked",
      });
    }
    const waitMs = invitation.lastSentAt.getTime() + RESEND_COOLDOWN_MS - Date.now();
    if (waitMs > 0) {
      const waitSeconds = Math.ceil(waitMs / 1000);
      throw new AppError(
        "rate_limited",
        `This invitation was just sent; you can resend it in ${waitSeconds} seconds.`,
        { retryAfterSeconds: waitSeconds },
        { reason: "invitation_resend_cooldown", params: { seconds: waitSeconds } },
      );
    }
    const role = await findRole(tx, workspaceId, invitation.roleId);
    if (!role) throw new Error(`invitation ${invitation.id} points at a missing role`);
    await assertMayHandleRole(tx, identity, role, `invite someone as ${role.name}`);
    await assertNotMember(tx, workspaceId, invitation.email);
    const token = newInvitationToken();
    const now = new Date();
    await tx
      .update(invitations)
      .set({
        tokenHash: hashInvitationToken(token),
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        lastSentAt: now,
        sendCount: invitation.sendCount + 1,
      })
      .where(eq(invitations.id, invitation.id));
    await queueInvitationMail(tx, mail.mailer, mail.config, {
      email: invitation.email,
      token,
      workspace: await workspaceOf(tx, workspaceId),
      roleName: role.name,
      inviter: await inviterName(tx, identity),
    });
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "invitation.resent",
      target: { type: "invitation", id: invitation.id, label: invitation.email },
      before: { status, sendCount: invitation.sendCount },
      after: { status: "pending", sendCount: invitation.sendCount + 1 },
    });
  });
  publishAudit(realtime, workspaceId, entry);
  return getInvitation(db, workspaceId, invitationId);
};

export const revokeInvitation = async (
  db: Database,
  realtime: RealtimePublisher,
  workspaceId: string,
  invitationId: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await db.transaction(async (tx) => {
    const invitation = await lockInvitation(tx, workspaceId, invitationId);
    const status = statusOf(invitation);
    if (status === "accepted") {
      throw new AppError("conflict", "This invitation was already accepted; remove the member instead.", undefined, {
        reason: "invitation_accepted",
      });
    }
    if (status === "revoked") return null;
    await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, invitation.id));
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "invitation.revoked",
      target: { type: "invitation", id: invitation.id, label: invitation.email },
      before: { status },
      after: { status: "revoked" },
    });
  });
  if (entry) publishAudit(realtime, workspaceId, entry);
};

/** The invitation behind a link, only while it can still be accepted. */
