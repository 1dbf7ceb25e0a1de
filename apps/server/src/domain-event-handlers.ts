import type { DomainEventHandler } from "./platform/domain-events.ts";

/**
 * Every in-transaction reaction to conversation events (webhooks, mentions, routing…), in the
 * order they run. Modules add theirs here.
 */
export const DOMAIN_EVENT_HANDLERS: readonly DomainEventHandler[] = [];
