import type { ParleyModule } from "../../platform/parley-module.ts";
import { messageSocketEvents } from "./messages.socket-events.ts";

export const messagesModule: ParleyModule = { agentSocketEvents: messageSocketEvents };
