import type { ParleyModule } from "../../platform/parley-module.ts";
import { internalChatSocketEvents } from "./internal-chats.socket-events.ts";

export const internalChatsModule: ParleyModule = { agentSocketEvents: internalChatSocketEvents };
