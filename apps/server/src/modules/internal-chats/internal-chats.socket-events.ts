import { ZInternalSendEvent } from "@parley/shared";
import type { RequestIdentity } from "../../platform/identity.ts";
import { defineSocketEvent, requireSocketPermission } from "../../platform/socket-events.ts";
import type { ConversationServices } from "../conversations/commit-change.ts";
import { memberOf, publishInternalMessage, sendInternalMessage } from "./internal-chats.service.ts";

/** Agent socket events of internal chats. */
export const internalChatSocketEvents = (services: ConversationServices) => [
  defineSocketEvent({
    name: "internal.send",
    authorize: requireSocketPermission("authenticated"),
    payload: ZInternalSendEvent,
    ratePerSecond: 10,
    handle: async (identity: RequestIdentity, request) => {
      const sent = await sendInternalMessage(services.db, memberOf(identity), request.channelId, request);
      if (!sent.isDuplicate) publishInternalMessage(services, sent.recipientUserIds, sent.message);
      return { message: sent.message, isDuplicate: sent.isDuplicate };
    },
  }),
];
