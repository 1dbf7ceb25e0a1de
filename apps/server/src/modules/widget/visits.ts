import type { TVisitorVisit } from "@parley/shared";
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Database, DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { rooms, type VisitorIdentity } from "../../platform/realtime.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { lookupLocation } from "./geoip.ts";
import { parseUserAgent, utmOf, webUrlOrNull } from "./visitor-context.ts";
import { type TrackedEvent, type VisitedPage, visitorVisits } from "./visitors.tables.ts";

export type VisitRow = typeof visitorVisits.$inferSelect;

/** A visit ends after this long without a sign of life; the next widget load starts visit n+1. */
export const VISIT_IDLE_MS = 30 * 60 * 1000;
const MAX_PAGES = 100;
const MAX_EVENTS = 100;

const secondsBetween = (from: string | Date, to: string | Date): number =>
  Math.max(0, Math.round((new Date(to).getTime() - new Date(from).getTime()) / 1000));

export const toVisitDto = (visit: VisitRow, now = new Date()): TVisitorVisit => ({
  id: visit.id,
  inboxId: visit.inboxId,
  contactId: visit.contactId,
  visitNumber: visit.visitNumber,
  ip: visit.ip,
  location: { country: visit.country, region: visit.region, city: visit.city, timezone: visit.geoTimezone },
  device: {
    browser: visit.browser,
    browserVersion: visit.browserVersion,
    os: visit.os,
    deviceType: visit.deviceType,
    screen: visit.screen,
  },
  timezone: visit.timezone,
  language: visit.language,
  referrer: visit.referrer,
  landingUrl: visit.landingUrl,
  utm: visit.utm,
  currentPage: { url: visit.currentUrl, title: visit.currentTitle },
  pages: visit.pages.map((page) => ({
    url: page.url,
    title: page.title,
    enteredAt: new Date(page.enteredAt).toISOString(),
    leftAt: page.leftAt ? new Date(page.leftAt).toISOString() : null,
    seconds: secondsBetween(page.enteredAt, page.leftAt ?? now),
  })),
  events: visit.events.map((event) => ({ event: event.event, data: event.data ?? null, at: new Date(event.at).toISOString() })),
  // On the site, the visit runs until now; once they left, it stopped when they were last seen.
  timeOnSiteSeconds: secondsBetween(
    visit.startedAt,
    visit.currentUrl === null || visit.lastSeenAt > now ? visit.lastSeenAt : now,
  ),
  startedAt: visit.startedAt.toISOString(),
  lastSeenAt: visit.lastSeenAt.toISOString(),
});

/** The contact's latest visit on an inbox, if any. */
export const latestVisit = async (db: DatabaseOrTransaction, inboxId: string, contactId: string): Promise<VisitRow | null> => {
  const [visit] = await db
    .select()
    .from(visitorVisits)
    .where(and(eq(visitorVisits.inboxId, inboxId), eq(visitorVisits.contactId, contactId)))
    .orderBy(desc(visitorVisits.startedAt), desc(visitorVisits.id))
    .limit(1);
  return visit ?? null;
};

const closeLastPage = (pages: VisitedPage[], at: Date): VisitedPage[] =>
  pages.map((entry, index) => (index === pages.length - 1 && !entry.leftAt ? { ...entry, leftAt: at.toISOString() } : entry));

const withPage = (pages: VisitedPage[], page: { url: string; title: string }, at: Date): VisitedPage[] => {
  const last = pages.at(-1);
  if (last && !last.leftAt && last.url === page.url) return pages;
  return [...closeLastPage(pages, at), { url: page.url, title: page.title, enteredAt: at.toISOString(), leftAt: null }].slice(
    -MAX_PAGES,
  );
};

export type VisitInput = {
  workspaceId: string;
  inboxId: string;
  contactId: string;
  ip: string | null;
  userAgent: string | null;
  page?: { url: string; title: string; referrer: string } | undefined;
  client?: { screen?: string | undefined; timezone?: string | undefined; language?: string | undefined } | undefined;
};

/**
 * A widget load: continues the visitor's visit when they were seen in the last 30 minutes,
 * otherwise starts their next one with the location, device and campaign it came with.
 */
export const recordVisit = async (tx: DatabaseOrTransaction, input: VisitInput, now = new Date()): Promise<VisitRow> => {
  const previous = await latestVisit(tx, input.inboxId, input.contactId);
  const pageUrl = webUrlOrNull(input.page?.url);
  const page = pageUrl ? { url: pageUrl, title: (input.page?.title ?? "").slice(0, 500) } : null;
  if (previous && now.getTime() - previous.lastSeenAt.getTime() < VISIT_IDLE_MS) {
    const [continued] = await tx
      .update(visitorVisits)
      .set({
        lastSeenAt: now,
        ...(page ? { currentUrl: page.url, currentTitle: page.title, pages: withPage(previous.pages, page, now) } : {}),
      })
      .where(eq(visitorVisits.id, previous.id))
      .returning();
    return continued ?? previous;
  }
  const location = lookupLocation(input.ip);
  const agent = parseUserAgent(input.userAgent);
  const [visit] = await tx
    .insert(visitorVisits)
    .values({
      workspaceId: input.workspaceId,
      inboxId: input.inboxId,
      contactId: input.contactId,
      visitNumber: (previous?.visitNumber ?? 0) + 1,
      ip: input.ip,
      country: location.country,
      region: location.region,
      city: location.city,
      geoTimezone: location.timezone,
      userAgent: input.userAgent?.slice(0, 1000) ?? null,
      browser: agent.browser,
      browserVersion: agent.browserVersion,
      os: agent.os,
      deviceType: agent.deviceType,
      screen: input.client?.screen ?? null,
      timezone: input.client?.timezone ?? null,
      language: input.client?.language ?? null,
      referrer: webUrlOrNull(input.page?.referrer),
      landingUrl: page?.url ?? null,
      utm: utmOf(page?.url),
      currentUrl: page?.url ?? null,
      currentTitle: page?.title ?? null,
      pages: page ? withPage([], page, now) : [],
      startedAt: now,
      lastSeenAt: now,
    })
    .returning();
  if (!visit) throw new Error("visit insert returned no row");
  return visit;
};

/** A single-page app moved to another page: the current page changes and the last one's time ends. */
export const recordPageView = async (
  db: DatabaseOrTransaction,
  visitId: string,
  page: { url: string; title: string; referrer?: string | undefined },
  now = new Date(),
): Promise<VisitRow> => {
  const url = webUrlOrNull(page.url);
  if (!url)
    throw new AppError("validation_failed", "Send the page's http(s) address.", [{ path: "url", message: "not a web address" }]);
  const [visit] = await db.select().from(visitorVisits).where(eq(visitorVisits.id, visitId)).for("update");
  if (!visit) throw new AppError("not_found", "This visit is over; reload the widget.");
  const [updated] = await db
    .update(visitorVisits)
    .set({
      currentUrl: url,
      currentTitle: page.title.slice(0, 500),
      pages: withPage(visit.pages, { url, title: page.title.slice(0, 500) }, now),
      lastSeenAt: now,
    })
    .where(eq(visitorVisits.id, visit.id))
    .returning();
  if (!updated) throw new Error("visit update returned no row");
  return updated;
};

/** A `Parley.track` event, kept on the visit (the latest 100). */
export const recordTrackedEvent = async (
  db: DatabaseOrTransaction,
  visitId: string,
  event: { event: string; data?: unknown },
  now = new Date(),
): Promise<VisitRow> => {
  const [visit] = await db.select().from(visitorVisits).where(eq(visitorVisits.id, visitId)).for("update");
  if (!visit) throw new AppError("not_found", "This visit is over; reload the widget.");
  const entry: TrackedEvent = { event: event.event, data: event.data ?? null, at: now.toISOString() };
  const [updated] = await db
    .update(visitorVisits)
    .set({ events: [...visit.events, entry].slice(-MAX_EVENTS), lastSeenAt: now })
    .where(eq(visitorVisits.id, visit.id))
    .returning();
  if (!updated) throw new Error("visit update returned no row");
  return updated;
};

/**
 * The visitor closed the last page that had the widget: their visit has no current page any more,
 * its last page and its time on site stop at `leftAt`. A widget load within 30 minutes of it
 * continues the same visit. Null when the visit had already ended or there is none.
 */
export const endVisit = async (db: Database, visitor: VisitorIdentity, leftAt: Date): Promise<VisitRow | null> =>
  db.transaction(async (tx) => {
    const [visit] = await tx
      .select({ visit: visitorVisits })
      .from(visitorVisits)
      .innerJoin(
        contactIdentities,
        and(eq(contactIdentities.contactId, visitorVisits.contactId), eq(contactIdentities.inboxId, visitorVisits.inboxId)),
      )
      .where(and(eq(visitorVisits.inboxId, visitor.inboxId), eq(contactIdentities.sourceId, visitor.visitorId)))
      .orderBy(desc(visitorVisits.startedAt), desc(visitorVisits.id))
      .limit(1)
      .for("update", { of: visitorVisits });
    if (!visit || visit.visit.currentUrl === null) return null;
    const [ended] = await tx
      .update(visitorVisits)
      .set({
        currentUrl: null,
        currentTitle: null,
        pages: closeLastPage(visit.visit.pages, leftAt),
        lastSeenAt: leftAt > visit.visit.lastSeenAt ? leftAt : visit.visit.lastSeenAt,
      })
      .where(eq(visitorVisits.id, visit.visit.id))
      .returning();
    return ended ?? null;
  });

const encodeCursor = (visit: VisitRow): string => `${visit.startedAt.toISOString()}|${visit.id}`;

const decodeCursor = (cursor: string): { startedAt: Date; id: string } => {
  const [at, id] = cursor.split("|");
  const startedAt = new Date(at ?? "");
  if (!id || Number.isNaN(startedAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError("validation_failed", "This cursor is not from a previous page.", [
      { path: "cursor", message: "unknown cursor" },
    ]);
  }
  return { startedAt, id };
};

/** A contact's visits on every website inbox, newest first. */
export const listContactVisits = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  contactId: string,
  page: { cursor?: string | undefined; limit: number },
) => {
  const [contact] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.workspaceId, workspaceId)));
  if (!contact) throw new AppError("not_found", "No contact with this id.");
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await db
    .select()
    .from(visitorVisits)
    .where(
      and(
        eq(visitorVisits.workspaceId, workspaceId),
        eq(visitorVisits.contactId, contact.id),
        after
          ? or(
              lt(visitorVisits.startedAt, after.startedAt),
              and(eq(visitorVisits.startedAt, after.startedAt), lt(visitorVisits.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(visitorVisits.startedAt), desc(visitorVisits.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((visit) => toVisitDto(visit)),
    nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null,
  };
};

/** Agents watching the inbox see the visit as it is now. */
export const announceVisit = (services: ConversationServices, visitor: VisitorIdentity, contactId: string, visit: VisitRow) => {
  services.realtime.emitToAgents([rooms.inbox(visitor.inboxId), rooms.allConversations(visitor.workspaceId)], "visitor.updated", {
    inboxId: visitor.inboxId,
    visitorId: visitor.visitorId,
    contactId,
    visit: toVisitDto(visit),
  });
};
