import type { TAcceptInvitationRequest, TInvitationLookup, TSessionResponse } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { ClientContext } from "../../platform/identity.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { findUserByEmail } from "../auth/account.service.ts";
import { users } from "../auth/auth.tables.ts";
import { hashPassword } from "../auth/password.ts";
import { assertPasswordAllowed, recordPasswordHistory } from "../auth/password-policy.ts";
import { completeSignIn, type SessionPolicy } from "../auth/sign-in.ts";
import { findRole } from "../roles/roles.service.ts";
import { addMemberToTeams } from "../teams/teams.service.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { hashInvitationToken, INVALID_LINK, statusOf, workspaceOf } from "./invitations.service.ts";
import { invitations } from "./invitations.tables.ts";

const findLiveInvitation = async (db: DatabaseOrTransaction, token: string, options: { lock: boolean }) => {
  const query = db
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, hashInvitationToken(token)));
  const [invitation] = options.lock ? await query.for("update") : await query;
  if (!invitation || statusOf(invitation) !== "pending") throw new AppError("invalid_token", INVALID_LINK);
  const workspace = await workspaceOf(db, invitation.workspaceId);
  if (workspace.suspendedAt !== null) {
    throw new AppError("workspace_suspended", "This workspace is suspended. Contact the Parley operator.");
  }
  return { invitation, workspace };
};

export const lookupInvitation = async (db: Database, token: string): Promise<TInvitationLookup> => {
  const { invitation, workspace } = await findLiveInvitation(db, token, { lock: false });
  const role = await findRole(db, invitation.workspaceId, invitation.roleId);
  return {
    workspaceName: workspace.name,
    email: invitation.email,
    roleName: role?.name ?? "",
    isExistingUser: (await findUserByEmail(db, invitation.email)) !== null,
    expiresAt: invitation.expiresAt.toISOString(),
  };
};

type UserRow = typeof users.$inferSelect;
type InvitingWorkspace = Awaited<ReturnType<typeof workspaceOf>>;

/** An address with an account accepts from that account's session only. */
const admitExistingAccount = async (
  tx: DatabaseOrTransaction,
  existing: UserRow,
  workspace: InvitingWorkspace,
  signedInUserId: string | null,
): Promise<UserRow> => {
  if (signedInUserId === null) {
    throw new AppError(
      "unauthorized",
      `An account for ${existing.email} already exists: sign in to it first, then accept the invitation.`,
    );
  }
  if (signedInUserId !== existing.id) {
    throw new AppError(
      "forbidden",
      `This invitation is for ${existing.email}, but you are signed in to another account; sign in as ${existing.email} to accept it.`,
      undefined,
      { reason: "invitation_for_other_account", params: { email: existing.email } },
    );
  }
  const [memberOf] = await tx
    .select({ status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspace.id), eq(memberships.userId, existing.id)));
  if (memberOf) {
    throw new AppError("conflict", `You are already a member of ${workspace.name}.`, undefined, {
      reason: "already_workspace_member",
      params: { workspace: workspace.name },
    });
  }
  // The link reached this mailbox, which proves the address.
  const [verified] = await tx
    .update(users)
    .set({ emailVerifiedAt: existing.emailVerifiedAt ?? new Date(), updatedAt: new Date() })
    .where(eq(users.id, existing.id))
    .returning();
  return verified ?? existing;
};

/** A new address chooses a name and a password that meets the policy; the link proves the email. */
const createInvitedAccount = async (
  tx: DatabaseOrTransaction,
  email: string,
  workspace: InvitingWorkspace,
  input: TAcceptInvitationRequest,
  passwordHash: string | null,
): Promise<UserRow> => {
  const { name, password } = input;
  const problems = [
    ...(name === undefined ? [{ path: "body.name", message: "Enter your name." }] : []),
    ...(password === undefined ? [{ path: "body.password", message: "Choose a password." }] : []),
    ...(password !== undefined && password.length < workspace.passwordMinLength
      ? [{ path: "body.password", message: `Use at least ${workspace.passwordMinLength} characters.` }]
      : []),
  ];
  if (name === undefined || password === undefined || passwordHash === null || problems.length > 0) {
    throw new AppError(
      "validation_failed",
      `To create your account, check these fields: ${problems.map((problem) => `${problem.path} (${problem.message})`).join("; ")}`,
      problems,
    );
  }
  await assertPasswordAllowed(tx, { password, email, name, userId: null, field: "body.password" });
  const now = new Date();
  const [created] = await tx
    .insert(users)
    .values({ name, email, emailVerifiedAt: now, passwordHash, passwordChangedAt: now })
    .returning();
  if (!created) throw new Error("user insert returned no row");
  await recordPasswordHistory(tx, created.id, passwordHash);
  return created;
};

/**
 * Accepting creates the membership (with the invitation's role and teams) and signs the person in
 * to that workspace. An address that already has an account must accept from that account's
 * session, so its password, second factor or SSO has been proven; a new address chooses a name
 * and password, and the link itself proves the email.
 */
export const acceptInvitation = async (
  db: Database,
  realtime: RealtimePublisher,
  input: TAcceptInvitationRequest,
  signedInUserId: string | null,
  context: { client: ClientContext; policy: SessionPolicy; actor: (email: string, userId: string) => AuditActor },
): Promise<TSessionResponse> => {
  // Hashing is slow on purpose; done before the transaction so no row lock waits on it.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  try {
    const { user, workspaceId, entry } = await db.transaction(async (tx) => {
      const { invitation, workspace } = await findLiveInvitation(tx, input.token, { lock: true });
      const existing = await findUserByEmail(tx, invitation.email);
      const user = existing
        ? await admitExistingAccount(tx, existing, workspace, signedInUserId)
        : await createInvitedAccount(tx, invitation.email, workspace, input, passwordHash);
      await tx.insert(memberships).values({ workspaceId: workspace.id, userId: user.id, roleId: invitation.roleId });
      const teams = await addMemberToTeams(tx, workspace.id, user.id, invitation.teamIds);
      await tx
        .update(invitations)
        .set({ acceptedAt: new Date(), acceptedByUserId: user.id })
        .where(eq(invitations.id, invitation.id));
      const role = await findRole(tx, workspace.id, invitation.roleId);
      const entry = await recordAudit(tx, {
        workspaceId: workspace.id,
        actor: context.actor(user.email, user.id),
        action: "invitation.accepted",
        target: { type: "invitation", id: invitation.id, label: invitation.email },
        after: {
          userId: user.id,
          role: role?.name ?? null,
          teams: teams.map((team) => team.name),
          isNewAccount: existing === null,
        },
      });
      return { user, workspaceId: workspace.id, entry };
    });
    publishAudit(realtime, workspaceId, entry);
    return await completeSignIn(db, realtime, {
      user,
      method: "invitation",
      client: context.client,
      policy: context.policy,
      actor: context.actor(user.email, user.id),
      workspaceId,
    });
  } catch (error) {
    if (isUniqueViolation(error, "users_email_unique")) {
      throw new AppError("email_taken", "An account with this email was created meanwhile; sign in to it, then accept again.");
    }
    throw error;
  }
};
