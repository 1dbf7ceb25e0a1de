import type { TMessage, TWidgetAvailability, TWidgetContact, TWidgetSettings } from "@parley/shared";
import type { ChatMessage } from "./chat-messages.ts";
import type { AckError } from "./connection.ts";
import type { ConnectionState } from "./connection-state.ts";

/** What the frame knows at a moment: the session's facts, the connection and the conversation shown. */

export type ConversationSummary = {
  id: string;
  status: string;
  lastMessage: { text: string; senderType: string; createdAt: string } | null;
  lastActivityAt: string;
};

export type ProactiveGreeting = { text: string; senderName: string; avatarUrl: string | null; firingId: string };

export type WidgetState = {
  phase: "starting" | "ready" | "banned" | "failed";
  failure: string | null;
  connection: ConnectionState;
  settings: TWidgetSettings;
  availability: TWidgetAvailability | null;
  contact: TWidgetContact | null;
  inboxName: string;
  inboxGreeting: string;
  conversationId: string | null;
  conversationStatus: string | null;
  messages: ChatMessage[];
  agentTyping: { name: string | null } | null;
  queue: { position: number | null; estimatedWaitSeconds: number | null } | null;
  history: ConversationSummary[] | null;
  greeting: ProactiveGreeting | null;
  isOpen: boolean;
  /** The pre-chat form was answered (or is not needed) for this visitor. */
  hasProfile: boolean;
  offlineSent: boolean;
  /** Form messages (CSAT, bot forms) the visitor already answered. */
  answered: Record<string, true>;
  unread: number;
};

export type ClientEvents = {
  /** A reply arrived live (not from history); the frame notifies when the visitor is not looking. */
  reply: (message: TMessage) => void;
  banned: () => void;
  settings: (settings: TWidgetSettings) => void;
  unread: (count: number) => void;
};

/** A refused form keeps the server's refusal; the form words it in the visitor's language (`describeRefusal`). */
export type FormResult = { ok: true } | { ok: false; fieldErrors: Record<string, string>; refusal: AckError | null };

export const initialState = (settings: TWidgetSettings): WidgetState => ({
  phase: "starting",
  failure: null,
  connection: { status: "connecting" },
  settings,
  availability: null,
  contact: null,
  inboxName: "",
  inboxGreeting: "",
  conversationId: null,
  conversationStatus: null,
  messages: [],
  agentTyping: null,
  queue: null,
  history: null,
  greeting: null,
  isOpen: false,
  hasProfile: false,
  offlineSent: false,
  answered: {},
  unread: 0,
});
