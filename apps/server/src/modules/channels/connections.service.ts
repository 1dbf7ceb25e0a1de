import type { TChannelConnection } from "@parley/shared";
import { and, eq, isNull, ne } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, audit } from "../audit/audit.service.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { type ChannelAdapter, ChannelSendError } from "./channel-adapter.ts";
import { encryptChannelSecrets, inboxLookupFor, toChannelInbox } from "./channel-inboxes.ts";
import { adapterForInboxType } from "./channel-registry.ts";
import { channelContextOf } from "./process-event.task.ts";

type InboxRow = typeof inboxes.$inferSelect;
type Services = Pick<AppServices, "db" | "config" | "logger" | "secrets" | "realtime">;

const liveInbox = async (db: DatabaseOrTransaction, workspaceId: string, inboxId: string): Promise<InboxRow> => {
  const [row] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId), isNull(inboxes.deletedAt)));
  if (!row) throw new AppError("not_found", "No inbox with this id.");
  return row;
};

const adapterOf = (row: InboxRow): ChannelAdapter => {
  const adapter = adapterForInboxType(row.type);
  if (!adapter) throw new AppError("bad_request", `A ${row.type} inbox has no platform connection; it works without one.`);
  return adapter;
};

const alreadyConnected = (adapter: ChannelAdapter) =>
  new AppError(
    "conflict",
    `This ${adapter.platform} account is already connected to another inbox; disconnect it there first.`,
    undefined,
    { reason: "channel_account_taken", params: { platform: adapter.platform } },
  );

/** Refuses a channel key another live inbox of the same type holds. */
const assertChannelKeyFree = async (db: DatabaseOrTransaction, adapter: ChannelAdapter, row: InboxRow, channelKey: string) => {
  const [holder] = await db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(
      and(eq(inboxes.type, row.type), eq(inboxes.channelKey, channelKey), isNull(inboxes.deletedAt), ne(inboxes.id, row.id)),
    );
  if (holder) throw alreadyConnected(adapter);
};

export const webhookUrlOf = (services: Pick<AppServices, "config">, adapter: ChannelAdapter, inboxId: string): string =>
  `${services.config.publicUrl}/webhooks/${adapter.platform}${adapter.sharedWebhook ? "" : `/${inboxId}`}`;

const toConnectionDto = (services: Pick<AppServices, "config">, adapter: ChannelAdapter, row: InboxRow): TChannelConnection => ({
  inboxId: row.id,
  platform: adapter.platform,
  status: (row.channelStatus as TChannelConnection["status"] | null) ?? "not_connected",
  error: row.channelError,
  channelKey: row.channelKey,
  displayName: typeof row.channelConfig.displayName === "string" ? row.channelConfig.displayName : null,
  webhookUrl: webhookUrlOf(services, adapter, row.id),
  config: row.channelConfig,
});

export const getChannelConnection = async (services: Services, workspaceId: string, inboxId: string) => {
  const row = await liveInbox(services.db, workspaceId, inboxId);
  return toConnectionDto(services, adapterOf(row), row);
};

/**
 * Connects an inbox to its platform: the credentials are checked with the platform first (which
 * also registers our webhook where it can), then stored encrypted. Connecting again replaces them.
 */
export const connectChannel = async (
  services: Services,
  workspaceId: string,
  inboxId: string,
  credentials: Record<string, unknown>,
  actor: AuditActor,
): Promise<TChannelConnection> => {
  const row = await liveInbox(services.db, workspaceId, inboxId);
  const adapter = adapterOf(row);
  const parsed = adapter.connectInput.safeParse(credentials);
  if (!parsed.success) {
    throw new AppError(
      "validation_failed",
      "Check the connection details.",
      parsed.error.issues.map((issue) => ({ path: ["credentials", ...issue.path].join("."), message: issue.message })),
    );
  }
  const knownKey = adapter.channelKeyOf?.(parsed.data);
  if (knownKey !== undefined) await assertChannelKeyFree(services.db, adapter, row, knownKey);
  let connection: Awaited<ReturnType<ChannelAdapter["connect"]>>;
  try {
    connection = await adapter.connect(
      parsed.data,
      toChannelInbox(services, row),
      channelContextOf(services),
      webhookUrlOf(services, adapter, row.id),
    );
  } catch (error) {
    if (error instanceof ChannelSendError) {
      throw new AppError(error.retryable ? "platform_unavailable" : "channel_rejected", error.message);
    }
    throw error;
  }
  const config = {
    ...row.channelConfig,
    ...connection.config,
    ...(connection.displayName ? { displayName: connection.displayName } : {}),
  };
  let updated: InboxRow | undefined;
  try {
    [updated] = await services.db
      .update(inboxes)
      .set({
        channelKey: connection.channelKey,
        channelConfig: config,
        channelSecrets: encryptChannelSecrets(services, connection.secrets),
        channelStatus: "connected",
        channelError: null,
        updatedAt: new Date(),
      })
      .where(and(eq(inboxes.id, row.id), isNull(inboxes.deletedAt)))
      .returning();
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyConnected(adapter);
    throw error;
  }
  if (!updated) throw new AppError("not_found", "No inbox with this id.");
  inboxLookupFor(services).clear();
  await audit(services.db, services.realtime, {
    workspaceId,
    actor,
    action: "inbox.channel_connected",
    target: { type: "inbox", id: row.id, label: row.name },
    after: { platform: adapter.platform, channelKey: connection.channelKey, displayName: connection.displayName ?? null },
  });
  return {
    ...toConnectionDto(services, adapter, updated),
    ...(connection.issuedCredentials ? { issuedCredentials: connection.issuedCredentials } : {}),
  };
};

/** Disconnects: the platform is told where it can be (best effort), and the credentials are erased. */
export const disconnectChannel = async (services: Services, workspaceId: string, inboxId: string, actor: AuditActor) => {
  const row = await liveInbox(services.db, workspaceId, inboxId);
  const adapter = adapterOf(row);
  if (row.channelStatus === null || row.channelStatus === "disconnected") return toConnectionDto(services, adapter, row);
  try {
    await adapter.disconnect?.(toChannelInbox(services, row), channelContextOf(services));
  } catch (error) {
    services.logger.warn({ err: error, inboxId }, "the platform did not confirm the disconnect; credentials are erased anyway");
  }
  const [updated] = await services.db
    .update(inboxes)
    .set({ channelSecrets: null, channelStatus: "disconnected", channelError: null, updatedAt: new Date() })
    .where(eq(inboxes.id, row.id))
    .returning();
  inboxLookupFor(services).clear();
  await audit(services.db, services.realtime, {
    workspaceId,
    actor,
    action: "inbox.channel_disconnected",
    target: { type: "inbox", id: row.id, label: row.name },
    before: { platform: adapter.platform, channelKey: row.channelKey },
  });
  return toConnectionDto(services, adapter, updated ?? row);
};

/**
 * Before an inbox is deleted: the platform stops delivering to it (best effort, as on
 * disconnect). Inboxes without a platform connection need nothing.
 */
export const releaseChannelOfDeletedInbox = async (
  services: Services,
  workspaceId: string,
  inboxId: string,
  actor: AuditActor,
) => {
  const [row] = await services.db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId), isNull(inboxes.deletedAt)));
  if (!row || !adapterForInboxType(row.type) || row.channelStatus === null || row.channelStatus === "disconnected") return;
  await disconnectChannel(services, workspaceId, inboxId, actor);
};
