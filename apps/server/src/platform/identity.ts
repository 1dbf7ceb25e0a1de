import type { Permission } from "@parley/shared";

/** Something a member must do before anything else in this session. */
export type SessionRestriction = "two_factor_enrolment_required" | "password_change_required";

/** Who is calling: a member's session (dashboard, socket) or a workspace API key. */
export type RequestIdentity = {
  kind: "session" | "api_key";
  workspaceId: string;
  /** The member; for an API key, null. */
  userId: string | null;
  sessionId: string | null;
  apiKeyId: string | null;
  roleId: string | null;
  permissions: readonly Permission[];
  /** Shown in the audit log: the member's email or the key's name. */
  actorLabel: string;
  restriction: SessionRestriction | null;
  isPlatformAdmin: boolean;
};

export const hasPermission = (identity: RequestIdentity, permission: Permission): boolean =>
  identity.permissions.includes(permission);

/** What authentication knows about the caller's connection. */
export type ClientContext = { ip: string; userAgent: string | undefined };
