import { parleyModules } from "./parley-modules.ts";
import type { DomainEventHandler } from "./platform/domain-events.ts";

/** Every in-transaction reaction to conversation events, in module order. */
export const allDomainEventHandlers = (): DomainEventHandler[] =>
  parleyModules().flatMap((module) => module.domainEventHandlers ?? []);
