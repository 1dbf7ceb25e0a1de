import { and, eq, isNull } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { AppServices } from "../../platform/services.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import type { ChannelInbox } from "./channel-adapter.ts";

type InboxRow = typeof inboxes.$inferSelect;

export const decryptChannelSecrets = (
  services: Pick<AppServices, "secrets">,
  encrypted: string | null,
): Record<string, string> => (encrypted ? (JSON.parse(services.secrets.decrypt(encrypted)) as Record<string, string>) : {});

export const encryptChannelSecrets = (services: Pick<AppServices, "secrets">, secrets: Record<string, string>): string =>
  services.secrets.encrypt(JSON.stringify(secrets));

export const toChannelInbox = (services: Pick<AppServices, "secrets">, row: InboxRow): ChannelInbox => ({
  id: row.id,
  workspaceId: row.workspaceId,
  type: row.type,
  name: row.name,
  channelKey: row.channelKey,
  config: row.channelConfig,
  secrets: decryptChannelSecrets(services, row.channelSecrets),
});

/** A live inbox by id, or null. */
export const findChannelInbox = async (
  services: Pick<AppServices, "secrets"> & { db: DatabaseOrTransaction },
  inboxId: string,
): Promise<{ row: InboxRow; inbox: ChannelInbox } | null> => {
  const [row] = await services.db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.id, inboxId), isNull(inboxes.deletedAt)));
  return row ? { row, inbox: toChannelInbox(services, row) } : null;
};

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

/**
 * Webhook ingest looks inboxes up on every request; a short-lived cache keeps that off the
 * database. A connect or disconnect clears it on this node; other nodes catch up within the TTL.
 */
export const createInboxLookup = (services: Pick<AppServices, "db" | "secrets">) => {
  const cache = new Map<string, { inbox: ChannelInbox | null; connected: boolean; expiresAt: number }>();
  const remember = (key: string, value: { inbox: ChannelInbox | null; connected: boolean }) => {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { ...value, expiresAt: Date.now() + CACHE_TTL_MS });
    return value;
  };
  const lookup = async (
    type: ChannelInbox["type"],
    target: { id: string } | { channelKey: string },
  ): Promise<{ inbox: ChannelInbox | null; connected: boolean }> => {
    const key = "id" in target ? `id:${target.id}` : `key:${type}:${target.channelKey}`;
    const cached = cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const [row] = await services.db
      .select()
      .from(inboxes)
      .where(
        and(
          "id" in target ? eq(inboxes.id, target.id) : eq(inboxes.channelKey, target.channelKey),
          eq(inboxes.type, type),
          isNull(inboxes.deletedAt),
        ),
      );
    return remember(key, {
      inbox: row ? toChannelInbox(services, row) : null,
      connected: row?.channelStatus === "connected" || row?.channelStatus === "expiring",
    });
  };
  return { lookup, clear: () => cache.clear() };
};
export type InboxLookup = ReturnType<typeof createInboxLookup>;

const lookups = new WeakMap<object, InboxLookup>();

/** One lookup cache per app (keyed by its database), shared by webhook ingest and connection changes. */
export const inboxLookupFor = (services: Pick<AppServices, "db" | "secrets">): InboxLookup => {
  let lookup = lookups.get(services.db);
  if (!lookup) {
    lookup = createInboxLookup(services);
    lookups.set(services.db, lookup);
  }
  return lookup;
};
