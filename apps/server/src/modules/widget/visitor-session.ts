import { randomUUID } from "node:crypto";
import type { TWidgetAvailability, TWidgetContact, TWidgetSessionRequest, TWidgetSessionResponse } from "@parley/shared";
import { and, desc, eq, isNotNull, isNull, like, ne, sql } from "drizzle-orm";
import { type Database, type DatabaseOrTransaction, preparedPerConnection } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { users } from "../auth/auth.tables.ts";
import { avatarUrlOf } from "../auth/avatar-urls.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { resolveContact } from "../conversations/start-conversation.ts";
import { isWithinBusinessHours } from "../inboxes/business-hours.ts";
import { type BusinessHours, inboxes, inboxMembers } from "../inboxes/inboxes.tables.ts";
import { agentPresence } from "../routing/routing.tables.ts";
import { compileTriggers } from "./trigger-firings.ts";
import { assertNotBanned } from "./visitor-bans.ts";
import { announceVisit, recordVisit } from "./visits.ts";
import { canRemoveBranding, readWidgetSettings, settingsForWidget } from "./widget-settings.ts";

const VISITOR_TOKEN_PURPOSE = "widget-visitor";
/** Contact identities that prove who a contact is on the site: `user:<the site's user id>`, set only by a verified identify. */
export const VERIFIED_SOURCE_PREFIX = "user:";
const RECENT_FIRST_REPLIES = 100;

/** The website inbox a widget's `data-inbox` token names, if it exists and is not deleted. */
export const findWebsiteInbox = async (db: Database, websiteToken: string) => {
  const [inbox] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.websiteToken, websiteToken), eq(inboxes.type, "website"), isNull(inboxes.deletedAt)));
  return inbox ?? null;
};

/**
 * A visitor's identity on one website inbox, as a signed token the widget keeps (localStorage) so
 * a returning visitor finds their conversations. Forging or moving it to another inbox fails.
 */
export const readVisitorToken = (
  services: Pick<AppServices, "secrets">,
  token: string,
): { inboxId: string; visitorId: string } | null => {
  const payload = services.secrets.verify(VISITOR_TOKEN_PURPOSE, token);
  if (!payload || typeof payload.inboxId !== "string" || typeof payload.visitorId !== "string") return null;
  return { inboxId: payload.inboxId, visitorId: payload.visitorId };
};

/** The contact behind a visitor id on an inbox, once known. */
export const findVisitorContact = async (db: DatabaseOrTransaction, visitor: Pick<VisitorIdentity, "inboxId" | "visitorId">) => {
  const [identity] = await db
    .select({ contactId: contactIdentities.contactId, contactIdentityId: contactIdentities.id })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.inboxId, visitor.inboxId), eq(contactIdentities.sourceId, visitor.visitorId)));
  return identity ?? null;
};

/** The contact as the widget shows it; verified when a verified identify linked it to the site's user. */
export const widgetContactOf = async (db: DatabaseOrTransaction, contactId: string): Promise<TWidgetContact> => {
  const [contact] = await db
    .select({ name: contacts.name, email: contacts.email })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  const [verified] = await db
    .select({ id: contactIdentities.id })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.contactId, contactId), like(contactIdentities.sourceId, `${VERIFIED_SOURCE_PREFIX}%`)))
    .limit(1);
  return { name: contact?.name ?? null, email: contact?.email ?? null, isVerified: verified !== undefined };
};

/** A schedule with a time zone the runtime does not know must not break the widget: treat it as open. */
const isInsideHours = (hours: BusinessHours | null, at: Date): boolean => {
  try {
    return isWithinBusinessHours(hours, at);
  } catch {
    return true;
  }
};

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Whether anyone can answer now, who, and how fast the inbox typically replies (median of its last 100 first replies). */
export const widgetAvailability = async (
  db: DatabaseOrTransaction,
  inbox: { id: string; workspaceId: string; businessHours: BusinessHours | null },
  now = new Date(),
): Promise<TWidgetAvailability> => {
  const agents = await db
    .select({ name: users.name, avatarKey: users.avatarKey })
    .from(agentPresence)
    .innerJoin(inboxMembers, and(eq(inboxMembers.inboxId, inbox.id), eq(inboxMembers.userId, agentPresence.userId)))
    .innerJoin(users, eq(users.id, agentPresence.userId))
    .where(and(eq(agentPresence.workspaceId, inbox.workspaceId), eq(agentPresence.status, "online")))
    .orderBy(users.name)
    .limit(20);
  const replies = await db
    .select({ seconds: sql<number>`extract(epoch from (${conversations.firstReplyAt} - ${conversations.createdAt}))::float8` })
    .from(conversations)
    .where(and(eq(conversations.inboxId, inbox.id), isNotNull(conversations.firstReplyAt)))
    .orderBy(desc(conversations.firstReplyAt))
    .limit(RECENT_FIRST_REPLIES);
  const typical = median(replies.map((row) => Math.max(0, row.seconds)));
  const withinBusinessHours = isInsideHours(inbox.businessHours, now);
  return {
    isOnline: withinBusinessHours && agents.length > 0,
    withinBusinessHours,
    typicalReplySeconds: typical === null ? null : Math.round(typical),
    agents: agents.map((agent) => ({ name: agent.name, avatarUrl: avatarUrlOf(agent.avatarKey) })),
  };
};

export type SessionClient = { ip: string | null; userAgent: string | null };

/**
 * Starts or resumes a visitor's widget session: checks bans, registers the visitor as a contact,
 * records the visit (location, device, campaign), and returns everything the widget needs to
 * render: settings, availability, compiled proactive triggers and the contact.
 */
export const startWidgetSession = async (
  services: ConversationServices,
  input: TWidgetSessionRequest,
  client: SessionClient = { ip: null, userAgent: null },
): Promise<TWidgetSessionResponse> => {
  const inbox = await findWebsiteInbox(services.db, input.inboxToken);
  if (!inbox) throw new AppError("not_found", "No website inbox has this token; check the data-inbox value in the snippet.");
  const known = input.visitorToken ? readVisitorToken(services, input.visitorToken) : null;
  const visitorId = known && known.inboxId === inbox.id ? known.visitorId : randomUUID();
  const existing = await findVisitorContact(services.db, { inboxId: inbox.id, visitorId });
  // Checked before anything is written: a banned visitor leaves no trace.
  await assertNotBanned(services.db, {
    workspaceId: inbox.workspaceId,
    contactId: existing?.contactId ?? null,
    ip: client.ip,
    isBlockedBanned: true,
  });

  const { contactId, visit } = await commitConversationChange(services, async (tx) => {
    const contact = await resolveContact(tx, {
      workspaceId: inbox.workspaceId,
      inboxId: inbox.id,
      sourceId: visitorId,
      isAnonymous: true,
    });
    const visit = await recordVisit(tx, {
      workspaceId: inbox.workspaceId,
      inboxId: inbox.id,
      contactId: contact.contactId,
      ip: client.ip,
      userAgent: client.userAgent ?? input.client?.userAgent ?? null,
      page: input.page,
      client: input.client,
    });
    await tx.update(contacts).set({ lastSeenAt: new Date() }).where(eq(contacts.id, contact.contactId));
    return { result: { contactId: contact.contactId, visit }, events: contact.events };
  });

  announceVisit(services, { workspaceId: inbox.workspaceId, inboxId: inbox.id, visitorId }, contactId, visit);
  const visitorToken = services.secrets.sign(VISITOR_TOKEN_PURPOSE, { inboxId: inbox.id, visitorId });
  const [latest] = await services.db
    .select({ id: conversations.id, status: conversations.status, lastMessageSeq: conversations.lastMessageSeq })
    .from(conversations)
    .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
    .where(
      and(eq(contactIdentities.inboxId, inbox.id), eq(contactIdentities.sourceId, visitorId), ne(conversations.status, "closed")),
    )
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  const settings = await settingsForWidget(services.db, inbox.workspaceId, readWidgetSettings(inbox.channelConfig));
  // Branding stays when the workspace lost its permission to hide it after the inbox was set up.
  if (!settings.showBranding && !(await canRemoveBranding(services.db, inbox.workspaceId))) settings.showBranding = true;
  const availability = await widgetAvailability(services.db, inbox);
  return {
    visitorToken,
    visitorId,
    inbox: { id: inbox.id, name: inbox.name, greetingMessage: inbox.greetingEnabled ? inbox.greetingMessage : "" },
    conversation: latest ?? null,
    settings,
    availability,
    triggers: await compileTriggers(services.db, {
      workspaceId: inbox.workspaceId,
      inboxId: inbox.id,
      inboxName: inbox.name,
      settings,
    }),
    visitor: {
      visitId: visit.id,
      visitCount: visit.visitNumber,
      country: visit.country,
      region: visit.region,
      city: visit.city,
      deviceType: visit.deviceType,
      isWithinBusinessHours: availability.withinBusinessHours,
      agentsOnline: availability.agents.length,
    },
    contact: await widgetContactOf(services.db, contactId),
  };
};

/** Built once per connection: a reconnect storm runs it once per widget. */
const selectLiveWebsiteInbox = preparedPerConnection((db: DatabaseOrTransaction) =>
  db
    .select({ id: inboxes.id, workspaceId: inboxes.workspaceId })
    .from(inboxes)
    .where(and(eq(inboxes.id, sql.placeholder("inboxId")), eq(inboxes.type, "website"), isNull(inboxes.deletedAt)))
    .prepare("live_website_inbox"),
);

/** The socket handshake check for `/widget`: a valid visitor token for a live website inbox. */
export const authenticateVisitor = async (
  services: Pick<AppServices, "db" | "secrets">,
  auth: Record<string, unknown>,
): Promise<VisitorIdentity | null> => {
  const token = auth.visitorToken;
  if (typeof token !== "string") return null;
  const visitor = readVisitorToken(services, token);
  if (!visitor) return null;
  const [inbox] = await selectLiveWebsiteInbox(services.db, { inboxId: visitor.inboxId });
  return inbox ? { workspaceId: inbox.workspaceId, inboxId: inbox.id, visitorId: visitor.visitorId } : null;
};
