import type { TCompiledTrigger, TCompiledTriggerAction } from "@parley/shared";
import { firstTriggerToFire, type TTriggerContext } from "../../../../packages/shared/src/proactive-triggers.ts";
import type { WidgetSession } from "./session.ts";

/**
 * Proactive triggers: evaluated every second and on each page change with the same code the
 * server uses, fired at most as often as their frequency allows, and recorded by the server,
 * which answers with the actions to run.
 */

const TICK_MS = 1_000;
const SITE_START_KEY = "parley:site-start";

const firedKey = (scope: "visitor" | "session", triggerId: string) => `parley:fired:${scope}:${triggerId}`;

const read = (store: () => Storage, key: string): string | null => {
  try {
    return store().getItem(key);
  } catch {
    return null;
  }
};
const write = (store: () => Storage, key: string, value: string): void => {
  try {
    store().setItem(key, value);
  } catch {}
};

export type TriggerHost = {
  session: () => WidgetSession | null;
  page: () => { url: string; referrer: string } | null;
  attributes: () => TTriggerContext["attributes"];
  /** A conversation in progress: no proactive message should interrupt it. */
  isBusy: () => boolean;
  fire: (
    triggerId: string,
  ) => Promise<{ ok: true; data: { firingId: string; actions: unknown[] } } | { ok: false; error: { code: string } }>;
  run: (action: TCompiledTriggerAction, firingId: string) => void;
};

/** When this browser tab first showed the site (sessionStorage lives per tab and per site). */
const siteStartedAt = (): number => {
  const stored = Number(read(() => sessionStorage, SITE_START_KEY));
  if (Number.isFinite(stored) && stored > 0) return stored;
  const now = Date.now();
  write(() => sessionStorage, SITE_START_KEY, String(now));
  return now;
};

export const buildTriggerContext = (
  session: WidgetSession,
  input: {
    pageUrl: string;
    referrer: string;
    pageSince: number;
    siteSince: number;
    now: number;
    attributes: TTriggerContext["attributes"];
  },
): TTriggerContext => ({
  timeOnPageSeconds: Math.floor((input.now - input.pageSince) / 1000),
  timeOnSiteSeconds: Math.floor((input.now - input.siteSince) / 1000),
  pageUrl: input.pageUrl,
  referrer: input.referrer,
  visitCount: session.visitor.visitCount,
  country: session.visitor.country,
  city: session.visitor.city,
  deviceType: session.visitor.deviceType,
  language: navigator.language,
  attributes: input.attributes,
  isWithinBusinessHours: session.visitor.isWithinBusinessHours,
  agentsOnline: session.visitor.agentsOnline,
});

const isAction = (value: unknown): value is TCompiledTriggerAction =>
  typeof value === "object" &&
  value !== null &&
  ["greeting", "open_widget", "attention_bubble"].includes(String(Reflect.get(value, "type")));

export const startTriggers = (host: TriggerHost): { pageChanged: () => void; stop: () => void } => {
  const siteSince = siteStartedAt();
  let pageSince = Date.now();
  // "always" triggers fire once per page view, not once a second.
  let firedThisPage = new Set<string>();
  let isFiring = false;

  const hasFired = (trigger: TCompiledTrigger): boolean => {
    if (firedThisPage.has(trigger.id)) return true;
    if (trigger.frequency === "once_per_visitor") return read(() => localStorage, firedKey("visitor", trigger.id)) !== null;
    if (trigger.frequency === "once_per_session") return read(() => sessionStorage, firedKey("session", trigger.id)) !== null;
    return false;
  };

  const remember = (trigger: TCompiledTrigger) => {
    firedThisPage.add(trigger.id);
    if (trigger.frequency === "once_per_visitor") write(() => localStorage, firedKey("visitor", trigger.id), "1");
    if (trigger.frequency === "once_per_session") write(() => sessionStorage, firedKey("session", trigger.id), "1");
  };

  const evaluate = async () => {
    const session = host.session();
    const page = host.page();
    if (isFiring || !session || !page || session.triggers.length === 0 || host.isBusy()) return;
    const context = buildTriggerContext(session, {
      pageUrl: page.url,
      referrer: page.referrer,
      pageSince,
      siteSince,
      now: Date.now(),
      attributes: host.attributes(),
    });
    const trigger = firstTriggerToFire(session.triggers, context, hasFired);
    if (!trigger) return;
    isFiring = true;
    try {
      const ack = await host.fire(trigger.id);
      // Refused as already fired (another tab, an earlier visit): remembered so it is not asked again.
      if (ack.ok || ack.error.code === "trigger_already_fired") remember(trigger);
      else firedThisPage.add(trigger.id);
      if (!ack.ok) return;
      for (const action of ack.data.actions.filter(isAction)) host.run(action, ack.data.firingId);
    } finally {
      isFiring = false;
    }
  };

  const timer = window.setInterval(() => void evaluate(), TICK_MS);
  return {
    pageChanged: () => {
      pageSince = Date.now();
      firedThisPage = new Set();
      void evaluate();
    },
    stop: () => window.clearInterval(timer),
  };
};
