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

export type ErrorBody = {
  error: {
    code: ErrorCode;
    message: string;
    details?: unknown;
  };
};

export const ZErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
