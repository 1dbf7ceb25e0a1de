import { ERROR_STATUS, type ErrorBody, type ErrorCode, type ErrorParams, type ErrorReason } from "@parley/shared";

/** The finer cause of an error, for clients that word it in their reader's language; `params` are the values the message mentions. */
export type ErrorReasonOptions = { reason: ErrorReason; params?: ErrorParams };

/** The one error services throw; the HTTP and socket layers turn it into `{ error: { code, message, details, reason, params } }`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly reason: ErrorReason | undefined;
  readonly params: ErrorParams | undefined;
  constructor(code: ErrorCode, message: string, details?: unknown, options?: ErrorReasonOptions) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
    this.reason = options?.reason;
    this.params = options?.params;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
        ...(this.reason === undefined ? {} : { reason: this.reason }),
        ...(this.params === undefined ? {} : { params: this.params }),
      },
    };
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
