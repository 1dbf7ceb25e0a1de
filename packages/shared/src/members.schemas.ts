import { z } from "zod";
import { ZEmail, ZPassword, ZRoleSummary } from "./auth.schemas.ts";
import { PERMISSION_NAMES, type Permission } from "./permissions.ts";
import { zPlainText } from "./text.schemas.ts";

// ——— shared pieces ———

const ZPermission = z.enum(PERMISSION_NAMES as [Permission, ...Permission[]], {
  message: "Use permission names from the permission catalogue (GET /roles/permissions).",
});

/** Optional longer text: may be empty, never NUL. */
const zDescription = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `Use at most ${max} characters.` })
    .refine((value) => !value.includes("\u0000"), { message: "Remove the NUL character from this text." });

/** A list of ids in a request body; duplicates are harmless and dropped. */
const zIdList = (max: number) =>
  z
    .array(z.uuid({ message: "must be an id" }))
    .max(max, { message: `Send at most ${max} ids.` })
    .transform((ids) => [...new Set(ids)]);

export const ZUserSummary = z.object({ id: z.uuid(), name: z.string(), email: z.string() });
export type TUserSummary = z.infer<typeof ZUserSummary>;

export const ZTeamSummary = z.object({ id: z.uuid(), name: z.string() });
export type TTeamSummary = z.infer<typeof ZTeamSummary>;

const ZIdParams = z.strictObject({ id: z.uuid({ message: "must be an id" }) });
export const ZRoleParams = ZIdParams;
export const ZInvitationParams = ZIdParams;
export const ZTeamParams = ZIdParams;

// ——— roles ———

export const ZRole = z.object({
  id: z.uuid(),
  /** owner, admin, supervisor, agent for built-in roles; null for custom ones. */
  key: z.string().nullable(),
  name: z.string(),
  description: z.string(),
  permissions: z.array(ZPermission),
  isBuiltIn: z.boolean(),
  /** Members holding the role, active or deactivated. */
  memberCount: z.number().int(),
  pendingInvitationCount: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TRole = z.infer<typeof ZRole>;

export const ZRoleList = z.object({ items: z.array(ZRole) });
export type TRoleList = z.infer<typeof ZRoleList>;

const rolePermissions = z
  .array(ZPermission)
  .max(PERMISSION_NAMES.length)
  .transform((permissions) => [...new Set(permissions)]);

export const ZCreateRoleRequest = z.strictObject({
  name: zPlainText({ max: 60, emptyMessage: "Name the role." }),
  description: zDescription(500).default(""),
  permissions: rolePermissions,
});
export type TCreateRoleRequest = z.infer<typeof ZCreateRoleRequest>;

export const ZUpdateRoleRequest = z.strictObject({
  name: zPlainText({ max: 60, emptyMessage: "Name the role." }).optional(),
  description: zDescription(500).optional(),
  permissions: rolePermissions.optional(),
});
export type TUpdateRoleRequest = z.infer<typeof ZUpdateRoleRequest>;

/** Every permission, what it allows, and which roles grant it. */
export const ZPermissionMatrix = z.object({
  roles: z.array(z.object({ id: z.uuid(), key: z.string().nullable(), name: z.string(), isBuiltIn: z.boolean() })),
  permissions: z.array(
    z.object({
      name: ZPermission,
      description: z.string(),
      /** Role id → whether that role grants this permission. */
      grantedBy: z.record(z.string(), z.boolean()),
    }),
  ),
});
export type TPermissionMatrix = z.infer<typeof ZPermissionMatrix>;

// ——— members ———

export const ZMemberStatus = z.enum(["active", "deactivated"]);
export type TMemberStatus = z.infer<typeof ZMemberStatus>;

/** A member's person, with their profile picture for lists and assignee pickers. */
export const ZMemberUser = ZUserSummary.extend({ avatarUrl: z.string().nullable() });
export type TMemberUser = z.infer<typeof ZMemberUser>;

export const ZMember = z.object({
  user: ZMemberUser,
  role: ZRoleSummary,
  status: ZMemberStatus,
  teams: z.array(ZTeamSummary),
  joinedAt: z.iso.datetime(),
  deactivatedAt: z.iso.datetime().nullable(),
  lastLoginAt: z.iso.datetime().nullable(),
  twoFactorEnabled: z.boolean(),
});
export type TMember = z.infer<typeof ZMember>;

export const ZMemberListQuery = z.strictObject({
  /** Part of a name or email. */
  search: zDescription(200).optional(),
  roleId: z.uuid({ message: "must be a role id" }).optional(),
  status: ZMemberStatus.optional(),
  /** The nextCursor of the previous page. */
  cursor: z.uuid({ message: "use the nextCursor value from the previous page" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type TMemberListQuery = z.infer<typeof ZMemberListQuery>;

export const ZMemberList = z.object({ items: z.array(ZMember), nextCursor: z.uuid().nullable() });
export type TMemberList = z.infer<typeof ZMemberList>;

export const ZMemberParams = z.strictObject({ userId: z.uuid({ message: "must be a user id" }) });

export const ZChangeMemberRoleRequest = z.strictObject({ roleId: z.uuid({ message: "must be a role id" }) });
export type TChangeMemberRoleRequest = z.infer<typeof ZChangeMemberRoleRequest>;

// ——— invitations ———

export const ZInvitationStatus = z.enum(["pending", "accepted", "expired", "revoked"]);
export type TInvitationStatus = z.infer<typeof ZInvitationStatus>;

export const ZInvitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: ZRoleSummary,
  /** Teams the person joins on acceptance; teams deleted since are left out. */
  teams: z.array(ZTeamSummary),
  status: ZInvitationStatus,
  invitedBy: ZUserSummary.nullable(),
  expiresAt: z.iso.datetime(),
  acceptedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  lastSentAt: z.iso.datetime(),
  sendCount: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type TInvitation = z.infer<typeof ZInvitation>;

export const ZInvitationList = z.object({ items: z.array(ZInvitation) });
export type TInvitationList = z.infer<typeof ZInvitationList>;

export const ZInvitationListQuery = z.strictObject({ status: ZInvitationStatus.optional() });

export const ZCreateInvitationRequest = z.strictObject({
  email: ZEmail,
  roleId: z.uuid({ message: "must be a role id" }),
  teamIds: zIdList(50).default([]),
});
export type TCreateInvitationRequest = z.infer<typeof ZCreateInvitationRequest>;

const ZInvitationToken = z.string().min(1, { message: "Open the link from the invitation email." }).max(200);

export const ZInvitationLookupQuery = z.strictObject({ token: ZInvitationToken });

/** What the accept page shows before the person decides. */
export const ZInvitationLookup = z.object({
  workspaceName: z.string(),
  email: z.string(),
  roleName: z.string(),
  /** True: accept while signed in as this email. False: accept with a name and password. */
  isExistingUser: z.boolean(),
  expiresAt: z.iso.datetime(),
});
export type TInvitationLookup = z.infer<typeof ZInvitationLookup>;

/**
 * New account: `{ token, name, password }`. Existing account: `{ token }` sent with that account's
 * session (Bearer or cookie), so sign-in (with its second factor or SSO) proves who accepts.
 */
export const ZAcceptInvitationRequest = z.strictObject({
  token: ZInvitationToken,
  name: zPlainText({ max: 120, emptyMessage: "Enter your name." }).optional(),
  password: ZPassword.optional(),
});
export type TAcceptInvitationRequest = z.infer<typeof ZAcceptInvitationRequest>;

// ——— teams ———

export const ZTeam = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  lead: ZUserSummary.nullable(),
  memberCount: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TTeam = z.infer<typeof ZTeam>;

export const ZTeamMember = ZUserSummary.extend({ status: ZMemberStatus });
export type TTeamMember = z.infer<typeof ZTeamMember>;

export const ZTeamDetail = ZTeam.extend({ members: z.array(ZTeamMember) });
export type TTeamDetail = z.infer<typeof ZTeamDetail>;

export const ZTeamList = z.object({ items: z.array(ZTeam) });
export type TTeamList = z.infer<typeof ZTeamList>;

export const ZCreateTeamRequest = z.strictObject({
  name: zPlainText({ max: 80, emptyMessage: "Name the team." }),
  description: zDescription(500).default(""),
  /** Also made a member of the team. */
  leadUserId: z.uuid({ message: "must be a user id" }).nullable().default(null),
  memberIds: zIdList(1000).default([]),
});
export type TCreateTeamRequest = z.infer<typeof ZCreateTeamRequest>;

export const ZUpdateTeamRequest = z.strictObject({
  name: zPlainText({ max: 80, emptyMessage: "Name the team." }).optional(),
  description: zDescription(500).optional(),
  /** Null removes the lead; a new lead is also made a member. */
  leadUserId: z.uuid({ message: "must be a user id" }).nullable().optional(),
});
export type TUpdateTeamRequest = z.infer<typeof ZUpdateTeamRequest>;

/** The team's full member list; removing the lead from it also clears the lead. */
export const ZSetTeamMembersRequest = z.strictObject({ userIds: zIdList(1000) });
export type TSetTeamMembersRequest = z.infer<typeof ZSetTeamMembersRequest>;
