import type { TMessage } from "@parley/shared";
import { asc, inArray } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { AppServices } from "../../platform/services.ts";
import { signedAttachmentUrl } from "./attachment-urls.ts";
import { attachments, messageReactions, type messages } from "./messages.tables.ts";

export type MessageRow = typeof messages.$inferSelect;

/**
 * Where a channel send records the platform ids of a message's parts (see channels/send-parts.ts):
 * kept in `content` for the send job and status matching, never shown to clients.
 */
export const CHANNEL_PARTS_KEY = "channelParts";

/** The message's content without what the server keeps for itself. */
export const publicContentOf = (content: Record<string, unknown>): Record<string, unknown> => {
  if (!(CHANNEL_PARTS_KEY in content)) return content;
  const { [CHANNEL_PARTS_KEY]: _parts, ...rest } = content;
  return rest;
};

const toDto = (
  row: MessageRow,
  files: Array<typeof attachments.$inferSelect>,
  reactions: Array<typeof messageReactions.$inferSelect>,
  services: Pick<AppServices, "config" | "secrets">,
): TMessage => {
  const isDeleted = row.deletedAt !== null;
  return {
    id: row.id,
    seq: row.seq,
    conversationId: row.conversationId,
    senderType: row.senderType,
    senderId: row.senderId,
    contentType: row.contentType,
    // A deleted message keeps its place in the timeline but shows nothing of what it said.
    text: isDeleted ? "" : row.text,
    content: isDeleted ? {} : publicContentOf(row.content),
    isPrivate: row.isPrivate,
    replyToId: row.replyToId,
    clientId: row.clientId,
    deliveryStatus: row.deliveryStatus,
    deliveryError: row.deliveryError,
    attachments: isDeleted
      ? []
      : files.map((file) => ({
          id: file.id,
          fileName: file.fileName,
          contentType: file.contentType,
          byteSize: file.byteSize,
          width: file.width,
          height: file.height,
          url: signedAttachmentUrl(services, file.id),
          thumbnailUrl: file.thumbnailKey ? signedAttachmentUrl(services, file.id, "thumbnail") : null,
        })),
    reactions: reactions.map((reaction) => ({
      emoji: reaction.emoji,
      reactorType: reaction.reactorType,
      reactorId: reaction.reactorId,
    })),
    editedAt: row.editedAt?.toISOString() ?? null,
    deletedAt: row.deletedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
};

/** Messages with their attachments and reactions, in two queries whatever the page size. */
export const toMessageDtos = async (
  db: DatabaseOrTransaction,
  services: Pick<AppServices, "config" | "secrets">,
  rows: readonly MessageRow[],
  /** `withoutFiles`: the caller wrote these messages without attachments, so none are read. */
  options: { areNew?: boolean; withoutFiles?: boolean } = {},
): Promise<TMessage[]> => {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [files, reactions] = await Promise.all([
    options.withoutFiles
      ? Promise.resolve([])
      : db.select().from(attachments).where(inArray(attachments.messageId, ids)).orderBy(asc(attachments.createdAt)),
    // Messages just created cannot have reactions yet.
    options.areNew
      ? Promise.resolve([])
      : db
          .select()
          .from(messageReactions)
          .where(inArray(messageReactions.messageId, ids))
          .orderBy(asc(messageReactions.createdAt)),
  ]);
  return rows.map((row) =>
    toDto(
      row,
      files.filter((file) => file.messageId === row.id),
      reactions.filter((reaction) => reaction.messageId === row.id),
      services,
    ),
  );
};
