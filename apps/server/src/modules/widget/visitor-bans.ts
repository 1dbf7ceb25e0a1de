import type { TCreateVisitorBanRequest, TVisitorBan } from "@parley/shared";
import { and, desc, eq, gt, inArray, isNotNull, isNull, or } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { rooms } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { forgetCachedBans } from "./visitor-activity.ts";
import { canonicalIpRange, isIpInRange } from "./visitor-context.ts";
import { visitorBans, visitorVisits } from "./visitors.tables.ts";
import { VISIT_IDLE_MS } from "./visits.ts";

type BanRow = typeof visitorBans.$inferSelect;
type BanServices = Pick<AppServices, "db" | "realtime">;

const BANNED_MESSAGE = "This chat is not available to you.";

const toBanDto = (ban: BanRow): TVisitorBan => ({
  id: ban.id,
  contactId: ban.contactId,
  ipRange: ban.ipRange,
  reason: ban.reason,
  createdByUserId: ban.createdByUserId,
  createdAt: ban.createdAt.toISOString(),
  expiresAt: ban.expiresAt?.toISOString() ?? null,
});

const isActive = (now: Date) => or(isNull(visitorBans.expiresAt), gt(visitorBans.expiresAt, now));

/** The ban that applies to this visitor (their contact, or the range their address is in), if any. */
export const findActiveBan = async (
  db: DatabaseOrTransaction,
  input: { workspaceId: string; contactId: string | null; ip: string | null },
): Promise<BanRow | null> => {
  const candidates = await db
    .select()
    .from(visitorBans)
    .where(
      and(
        eq(visitorBans.workspaceId, input.workspaceId),
        isActive(new Date()),
        or(input.contactId ? eq(visitorBans.contactId, input.contactId) : undefined, isNotNull(visitorBans.ipRange)),
      ),
    );
  return (
    candidates.find(
      (ban) =>
        (input.contactId !== null && ban.contactId === input.contactId) ||
        (ban.ipRange !== null && isIpInRange(input.ip, ban.ipRange)),
    ) ?? null
  );
};

export const assertNotBanned = async (
  db: DatabaseOrTransaction,
  input: { workspaceId: string; contactId: string | null; ip: string | null; isBlockedBanned?: boolean },
): Promise<void> => {
  // A blocked contact's widget stays hidden too; their messages are refused on the message path.
  if (input.contactId && input.isBlockedBanned) {
    const [contact] = await db.select({ blockedAt: contacts.blockedAt }).from(contacts).where(eq(contacts.id, input.contactId));
    if (contact?.blockedAt) throw new AppError("visitor_banned", BANNED_MESSAGE);
  }
  if (await findActiveBan(db, { workspaceId: input.workspaceId, contactId: input.contactId, ip: input.ip }))
    throw new AppError("visitor_banned", BANNED_MESSAGE);
};

export const listVisitorBans = async (db: DatabaseOrTransaction, workspaceId: string) => ({
  items: (
    await db.select().from(visitorBans).where(eq(visitorBans.workspaceId, workspaceId)).orderBy(desc(visitorBans.createdAt))
  ).map(toBanDto),
});

/** The widget rooms a new ban shuts: the banned contact's visitors, or the live visitors whose address is in the range. */
const roomsOfBannedVisitors = async (db: DatabaseOrTransaction, workspaceId: string, ban: BanRow): Promise<string[]> => {
  if (ban.contactId) {
    const identities = await db
      .select({ inboxId: contactIdentities.inboxId, sourceId: contactIdentities.sourceId })
      .from(contactIdentities)
      .innerJoin(inboxes, eq(inboxes.id, contactIdentities.inboxId))
      .where(and(eq(contactIdentities.contactId, ban.contactId), eq(inboxes.type, "website")));
    return identities.map((identity) => rooms.visitor(identity.inboxId, identity.sourceId));
  }
  const range = ban.ipRange;
  if (!range) return [];
  const live = await db
    .select({ inboxId: visitorVisits.inboxId, contactId: visitorVisits.contactId, ip: visitorVisits.ip })
    .from(visitorVisits)
    .where(and(eq(visitorVisits.workspaceId, workspaceId), gt(visitorVisits.lastSeenAt, new Date(Date.now() - VISIT_IDLE_MS))));
  const contactIds = [...new Set(live.filter((visit) => isIpInRange(visit.ip, range)).map((visit) => visit.contactId))];
  if (contactIds.length === 0) return [];
  const identities = await db
    .select({ inboxId: contactIdentities.inboxId, sourceId: contactIdentities.sourceId })
    .from(contactIdentities)
    .innerJoin(inboxes, eq(inboxes.id, contactIdentities.inboxId))
    .where(and(inArray(contactIdentities.contactId, contactIds), eq(inboxes.type, "website")));
  return identities.map((identity) => rooms.visitor(identity.inboxId, identity.sourceId));
};

/** Bans a contact or an IP range; their open widgets hide and disconnect at once. */
export const createVisitorBan = async (
  services: BanServices,
  workspaceId: string,
  userId: string | null,
  input: TCreateVisitorBanRequest,
  actor: AuditActor,
): Promise<TVisitorBan> => {
  const ipRange = input.ipRange === undefined ? null : canonicalIpRange(input.ipRange);
  if (input.ipRange !== undefined && !ipRange) {
    throw new AppError("validation_failed", 'Use an IP address or a CIDR range such as "203.0.113.0/24" or "2001:db8::/32".', [
      { path: "body.ipRange", message: "not an address or range" },
    ]);
  }
  if (input.expiresAt && new Date(input.expiresAt).getTime() <= Date.now()) {
    throw new AppError("validation_failed", "A ban must expire in the future, or never.", [
      { path: "body.expiresAt", message: "in the past" },
    ]);
  }
  const { ban, entry, bannedRooms } = await services.db.transaction(async (tx) => {
    let label = ipRange ?? "";
    if (input.contactId) {
      const [contact] = await tx
        .select({ id: contacts.id, name: contacts.name, email: contacts.email })
        .from(contacts)
        .where(and(eq(contacts.id, input.contactId), eq(contacts.workspaceId, workspaceId)));
      if (!contact) throw new AppError("not_found", "No contact with this id.");
      label = contact.name ?? contact.email ?? contact.id;
    }
    const [ban] = await tx
      .insert(visitorBans)
      .values({
        workspaceId,
        contactId: input.contactId ?? null,
        ipRange,
        reason: input.reason,
        createdByUserId: userId,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      })
      .returning();
    if (!ban) throw new Error("ban insert returned no row");
    const entry = await recordAudit(tx, {
      workspaceId,
      actor,
      action: "visitor_ban.created",
      target: { type: "visitor_ban", id: ban.id, label },
      after: {
        contactId: ban.contactId,
        ipRange: ban.ipRange,
        reason: ban.reason,
        expiresAt: ban.expiresAt?.toISOString() ?? null,
      },
    });
    return { ban, entry, bannedRooms: await roomsOfBannedVisitors(tx, workspaceId, ban) };
  });
  forgetCachedBans(workspaceId);
  publishAudit(services.realtime, workspaceId, entry);
  for (const room of bannedRooms) {
    services.realtime.emitToVisitors(room, "visitor.banned", { code: "visitor_banned" });
    services.realtime.disconnectVisitors(room);
  }
  return toBanDto(ban);
};

export const deleteVisitorBan = async (services: BanServices, workspaceId: string, banId: string, actor: AuditActor) => {
  const entry = await services.db.transaction(async (tx) => {
    const [ban] = await tx
      .delete(visitorBans)
      .where(and(eq(visitorBans.id, banId), eq(visitorBans.workspaceId, workspaceId)))
      .returning();
    if (!ban) throw new AppError("not_found", "No ban with this id.");
    return recordAudit(tx, {
      workspaceId,
      actor,
      action: "visitor_ban.deleted",
      target: { type: "visitor_ban", id: ban.id, label: ban.ipRange ?? ban.contactId },
      before: { contactId: ban.contactId, ipRange: ban.ipRange, reason: ban.reason },
    });
  });
  forgetCachedBans(workspaceId);
  publishAudit(services.realtime, workspaceId, entry);
};
