import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Socket } from "socket.io";
import type { RequestIdentity } from "../../platform/identity.ts";
import { rooms, type VisitorIdentity } from "../../platform/realtime.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { inboxRoomsFor } from "../conversations/visibility.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";

const announce = async (services: ConversationServices, visitor: VisitorIdentity): Promise<void> => {
  const visitors = await services.realtime.countVisitors(visitor.inboxId);
  services.realtime.emitToAgents([rooms.inbox(visitor.inboxId), rooms.allConversations(visitor.workspaceId)], "visitors.online", {
    inboxId: visitor.inboxId,
    visitors,
  });
};

/** Agents of an inbox hear its visitor count change as widgets open and close. */
export const announceVisitorsOnline = (socket: Socket, visitor: VisitorIdentity, services: ConversationServices): void => {
  const report = () =>
    announce(services, visitor).catch((error: unknown) =>
      services.logger.warn({ err: error }, "could not count visitors online"),
    );
  void report();
  socket.on("disconnect", () => void report());
};

/** Visitors online per website inbox the caller works (all of them with `conversations.view_all`). */
export const visitorsOnline = async (services: ConversationServices, identity: RequestIdentity) => {
  const visible = await inboxRoomsFor(services.db, identity);
  const websiteInboxes = await services.db
    .select({ id: inboxes.id, name: inboxes.name })
    .from(inboxes)
    .where(
      and(
        eq(inboxes.workspaceId, identity.workspaceId),
        eq(inboxes.type, "website"),
        isNull(inboxes.deletedAt),
        visible === "all"
          ? undefined
          : inArray(inboxes.id, visible.length > 0 ? visible : ["00000000-0000-0000-0000-000000000000"]),
      ),
    );
  const items = await Promise.all(
    websiteInboxes.map(async (inbox) => ({
      inboxId: inbox.id,
      name: inbox.name,
      visitors: await services.realtime.countVisitors(inbox.id),
    })),
  );
  return { items, total: items.reduce((sum, item) => sum + item.visitors, 0) };
};
