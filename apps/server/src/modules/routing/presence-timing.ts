/**
 * How long an "online" agent keeps that status after their last socket drops (a reload or a
 * flaky network should not send them away). Mutable so tests can shorten it; kept apart from
 * presence.ts so reading it imports nothing else.
 */
export const presenceTiming = { awayAfterDisconnectMs: 30_000 };
