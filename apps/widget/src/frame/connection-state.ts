export type ConnectionState =
  | { status: "connecting" }
  | { status: "connected" }
  | { status: "reconnecting" }
  /** The server closed a working connection; the client does not reconnect by itself then. */
  | { status: "ended" }
  /** The server or the setup said no; `reason` is the server's own message when it sent one. */
  | { status: "refused"; reason: string | null };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The message a Socket.IO middleware attached to its refusal (`err.data.message`), if any. */
export const refusalReason = (error: Error): string | null => {
  if (!("data" in error) || !isRecord(error.data)) return null;
  const { message } = error.data;
  return typeof message === "string" && message.trim() !== "" ? message : null;
};

/**
 * A `connect_error` is a refusal when the client gave up (the server's middleware rejected the
 * handshake); otherwise it is a network problem the client is already retrying.
 */
export const stateAfterConnectError = (error: Error, isStillTrying: boolean): ConnectionState =>
  isStillTrying ? { status: "reconnecting" } : { status: "refused", reason: refusalReason(error) };
