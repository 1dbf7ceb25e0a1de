import type { TSsoErrorCode } from "@parley/shared";

/**
 * A single sign-on that could not complete. The browser is sent to `/login?sso_error=<code>`;
 * `reason` is for the server log only, since it may describe the identity provider's answer.
 */
export class SsoError extends Error {
  readonly code: TSsoErrorCode;
  constructor(code: TSsoErrorCode, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = "SsoError";
    this.code = code;
  }
}

export const isSsoError = (error: unknown): error is SsoError => error instanceof SsoError;
