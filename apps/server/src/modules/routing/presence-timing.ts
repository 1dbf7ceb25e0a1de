/**
 * How long presence waits after a last socket drops before it counts: a reload, a flaky network or,
 * for a visitor, the next page of the same site closes one socket and opens another. Mutable so
 * tests can shorten it; kept apart from presence.ts so reading it imports nothing else.
 *
 * - `awayAfterDisconnectMs`: an "online" agent turns "away".
 * - `visitorGoneAfterDisconnectMs`: a visitor has left, and their unanswered conversations are missed.
 */
export const presenceTiming = { awayAfterDisconnectMs: 30_000, visitorGoneAfterDisconnectMs: 30_000 };
