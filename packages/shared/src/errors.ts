import { z } from "zod";

/**
 * Stable error codes shared by the server, the dashboard and the widget.
 * The UI acts on the code; the message is for people; the status is for HTTP.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  bad_request: 400,
  /** A link or token that is unknown, expired or already used. */
  invalid_token: 400,
  /** A wrong one-time, TOTP or backup code. */
  invalid_code: 400,
  /** The new password is one of the last N the workspace forbids reusing. */
  password_reused: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  /** The password was right; the second factor is still needed (see details.challengeToken). */
  two_factor_required: 401,
  forbidden: 403,
  /** A platform webhook whose signature or secret token does not match. */
  invalid_signature: 403,
  origin_not_allowed: 403,
  /** The visitor or their IP range is banned from the website widget. */
  visitor_banned: 403,
  /** A widget identity hash that does not match the id (or none where the inbox requires one). */
  identity_verification_failed: 403,
  ip_not_allowed: 403,
  workspace_suspended: 403,
  /** The workspace requires 2FA and this member has not enrolled yet. */
  two_factor_enrolment_required: 403,
  /** The workspace's password expiry has passed for this member. */
  password_change_required: 403,
  /** This email's domain signs in through single sign-on only. */
  sso_required: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  email_taken: 409,
  /** The change would leave the workspace without an owner. */
  last_owner: 409,
  /** The change would lock the person making it out (IP allowlist, own role). */
  lockout_risk: 409,
  /** A proactive trigger already fired as often as its frequency allows. */
  trigger_already_fired: 409,
  /** The inbox has no working platform connection (never connected, disconnected or failing). */
  channel_not_connected: 409,
  /** The member already has a saved view with this name (whatever its case). */
  view_name_taken: 409,
  /** Still used elsewhere (a role members hold, a team an inbox assigns to): the message and details say where. */
  in_use: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  /** The platform only accepts a template outside its reply window (WhatsApp's 24 hours, Messenger's 7 days with a tag). */
  outside_messaging_window: 422,
  /** The platform refused credentials or a message; the message carries the platform's own words. */
  channel_rejected: 422,
  /** The member already has as many saved views as one member may keep. */
  view_limit_reached: 422,
  rate_limited: 429,
  too_many_attempts: 429,
  internal_error: 500,
  /** The platform could not be reached or failed; trying again later may work. */
  platform_unavailable: 502,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);

/**
 * Finer causes of some errors, named so the UI can word them in the reader's language; each maps to
 * the code it refines. The error's `params` carry the names and numbers its message mentions.
 */
export const ERROR_REASONS = {
  team_name_taken: "conflict",
  role_name_taken: "conflict",
  label_name_taken: "conflict",
  canned_shortcut_taken: "conflict",
  contact_email_taken: "conflict",
  /** Contacts with conversations are blocked, not deleted. */
  contact_has_conversations: "conflict",
  contact_blocked: "conflict",
  /** Built-in roles (owner, admin, agent) cannot be edited or deleted. */
  role_built_in: "conflict",
  /** The address to invite already belongs to an active member. */
  invitee_already_member: "conflict",
  /** The address to invite belongs to a deactivated member, who is reactivated instead. */
  invitee_deactivated: "conflict",
  /** The signed-in person accepting an invitation is already in that workspace. */
  already_workspace_member: "conflict",
  invitation_accepted: "conflict",
  invitation_revoked: "conflict",
  email_already_verified: "conflict",
  two_factor_already_enabled: "conflict",
  /** Confirming an authenticator app before starting its set-up. */
  two_factor_setup_not_started: "conflict",
  two_factor_not_enabled: "conflict",
  conversation_already_taken: "conflict",
  /** The platform account (bot, number, page) already feeds another inbox. */
  channel_account_taken: "conflict",
  /** Only a failed platform reply that never reached the platform can be sent again. */
  reply_not_retryable: "conflict",
  message_deleted: "conflict",
  /** Two sends of one message raced; sending it again settles it. */
  message_collided: "conflict",
  /** Redelivering to a webhook that is switched off. */
  webhook_disabled: "conflict",
  sso_domain_taken: "conflict",
  /** A failed job that someone already put back on the queue. */
  job_already_retried: "conflict",
  permission_required: "forbidden",
  /** Handing out (in a role, key or invitation) permissions the caller does not hold. */
  permissions_not_held: "forbidden",
  /** Giving the owner role, or managing an owner, is for owners. */
  owner_role_owners_only: "forbidden",
  /** Without `conversations.manage`, only the conversations assigned to you can be changed. */
  own_conversations_only: "forbidden",
  edit_own_messages_only: "forbidden",
  delete_own_messages_only: "forbidden",
  /** A contact note is changed by its author or with `contacts.manage_notes`. */
  note_author_only: "forbidden",
  /** Signing in to a workspace the account is no longer an active member of. */
  not_workspace_member: "forbidden",
  /** The account is an active member of no workspace. */
  no_workspace: "forbidden",
  /** The invitation is addressed to another email than the signed-in account's. */
  invitation_for_other_account: "forbidden",
  /** Hiding "Powered by Parley" before the workspace's branding setting allows it. */
  branding_removal_not_allowed: "forbidden",
  file_empty: "bad_request",
  /** The virus scan found something; the file was not stored. */
  file_infected: "bad_request",
  /** Facebook Login needs the server's Meta app id and secret. */
  meta_login_not_configured: "bad_request",
  /** Connecting a Meta channel needs the server's Meta app secret, which verifies its webhooks. */
  meta_app_secret_missing: "bad_request",
  /** The OpenID provider's discovery document could not be fetched or read. */
  oidc_discovery_failed: "bad_request",
  /** The OpenID provider's discovery document lacks its authorization or token endpoint. */
  oidc_endpoints_missing: "bad_request",
  /** Inboxes assign their new conversations to the team being deleted. */
  team_routes_inboxes: "in_use",
  /** Members or pending invitations still hold the role being deleted. */
  role_has_holders: "in_use",
  /** Single sign-on gives new people the role being deleted. */
  role_is_sso_default: "in_use",
  /** Turning two-factor authentication off with a wrong password. */
  wrong_password: "invalid_credentials",
  /** An image whose bytes cannot be decoded (damaged, or not what its type says). */
  image_unreadable: "unsupported_media_type",
  /** An invitation is resent at most once a minute. */
  invitation_resend_cooldown: "rate_limited",
} as const satisfies Record<string, ErrorCode>;

export type ErrorReason = keyof typeof ERROR_REASONS;

/** Values a reason's sentence mentions (names, counts), for the UI to put into its translation. */
export type ErrorParams = Record<string, string | number>;

export type ErrorBody = {
  error: {
    code: ErrorCode;
    message: string;
    details?: unknown;
    reason?: ErrorReason;
    params?: ErrorParams;
  };
};

/** Clients parse `reason` as any string: a newer server may send reasons this build does not know. */
export const ZErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    reason: z.string().optional(),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  }),
});
export type TErrorResponse = z.infer<typeof ZErrorResponse>;
