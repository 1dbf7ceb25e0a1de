import type { TWidgetContact } from "@parley/shared";
import { type ChatMessage, newClientId, pendingMessage } from "./chat-messages.ts";
import type { Ack, AckError } from "./connection.ts";
import { cleanValues, type FormValues, serverFieldErrors } from "./forms.ts";
import type { ConversationSummary, FormResult, ProactiveGreeting, WidgetState } from "./widget-state.ts";

/**
 * What the visitor and the host page ask of the widget beyond sending messages: the pre-chat and
 * offline forms, bot forms, the rating and transcript, past conversations, proactive greetings,
 * and the host API's identify / setAttributes / track.
 */

export type ClientCore = {
  getState: () => WidgetState;
  set: (change: Partial<WidgetState>) => void;
  request: <T>(event: string, payload: unknown) => Promise<Ack<T>>;
  resync: (conversationId: string, afterSeq: number) => Promise<void>;
  deliver: (clientId: string) => Promise<void>;
  switchConversation: (conversationId: string | null, status: string | null) => void;
  /** The pre-chat form is done for this visitor in this browser. */
  rememberProfile: () => void;
  /** Keeps attributes for triggers and reconnects; true when they can be sent now. */
  addAttributes: (attributes: Record<string, string | number | boolean | null>) => boolean;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

const refused = (error: AckError): FormResult => ({ ok: false, fieldErrors: serverFieldErrors(error.details), refusal: error });

export const createVisitorActions = (core: ClientCore) => {
  const { getState, set, request } = core;
  return {
    react: async (messageId: string, emoji: string, remove: boolean) => request("message.react", { messageId, emoji, remove }),

    /** Pre-chat answers: the server validates them against the configured fields. */
    submitProfile: async (values: FormValues): Promise<FormResult> => {
      const fields = cleanValues(getState().settings.preChatForm.fields, values);
      const ack = await request("visitor.profile", { fields });
      if (!ack.ok) return refused(ack.error);
      core.rememberProfile();
      const known = getState().contact ?? { name: null, email: null, isVerified: false };
      set({
        hasProfile: true,
        contact: {
          ...known,
          name: typeof fields.name === "string" ? fields.name : known.name,
          email: typeof fields.email === "string" ? fields.email : known.email,
        },
      });
      return { ok: true };
    },

    /** The offline form: the server opens the conversation and promises a reply by email. */
    submitOffline: async (values: FormValues, message: string, clientId: string): Promise<FormResult> => {
      const fields = cleanValues(getState().settings.offlineForm.fields, values);
      const ack = await request<unknown>("offline.submit", { clientId, fields, message: message.trim() });
      if (!ack.ok) return refused(ack.error);
      const conversationId = isRecord(ack.data) && typeof ack.data.conversationId === "string" ? ack.data.conversationId : null;
      set({ offlineSent: true, ...(conversationId ? { conversationId, conversationStatus: "pending" } : {}) });
      if (conversationId) await core.resync(conversationId, 0);
      return { ok: true };
    },

    /** A button, quick reply or bot form answered: posted back as the visitor's message. */
    submitForm: (messageId: string, text: string) => {
      const state = getState();
      const clientId = newClientId();
      set({
        answered: { ...state.answered, [messageId]: true },
        messages: [
          ...state.messages,
          pendingMessage({ clientId, text, conversationId: state.conversationId, upload: null, triggerFiringId: null }),
        ],
      });
      void core.deliver(clientId);
    },

    submitCsat: async (messageId: string, rating: number, comment: string): Promise<FormResult> => {
      const { conversationId } = getState();
      if (!conversationId) return { ok: false, fieldErrors: {}, refusal: null };
      const ack = await request("csat.submit", {
        conversationId,
        rating,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      // "Already rated" is as good as done: the visitor rated on another tab or before a reload.
      if (ack.ok || ack.error.code === "conflict") {
        set({ answered: { ...getState().answered, [messageId]: true } });
        return { ok: true };
      }
      return { ok: false, fieldErrors: {}, refusal: ack.error };
    },

    requestTranscript: async (email: string): Promise<FormResult> => {
      const { conversationId } = getState();
      if (!conversationId) return { ok: false, fieldErrors: {}, refusal: null };
      const ack = await request("transcript.request", { conversationId, email: email.trim() });
      return ack.ok ? { ok: true } : refused(ack.error);
    },

    loadHistory: async () => {
      const ack = await request<unknown>("conversations.list", {});
      const data = ack.ok ? ack.data : null;
      const items: unknown[] = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data.items) ? data.items : [];
      set({ history: items.filter((item): item is ConversationSummary => isRecord(item) && typeof item.id === "string") });
    },
    openConversation: async (conversationId: string, status: string) => {
      core.switchConversation(conversationId, status);
      await core.resync(conversationId, 0);
    },
    /** The next message starts a new conversation (the server continues an open one if there is one). */
    startNewConversation: () => core.switchConversation(null, null),

    /** A proactive greeting, shown as the named agent's or bot's message until the visitor answers. */
    showGreeting: (greeting: ProactiveGreeting) => {
      const shown: ChatMessage = {
        ...pendingMessage({
          clientId: `greeting-${greeting.firingId}`,
          text: greeting.text,
          conversationId: null,
          upload: null,
          triggerFiringId: null,
        }),
        senderType: "bot",
        deliveryStatus: "sent",
        seq: 0,
        local: undefined,
        greeting: { senderName: greeting.senderName, avatarUrl: greeting.avatarUrl },
      };
      set({ greeting, messages: [shown, ...getState().messages.filter((message) => !message.greeting)] });
    },
    fireTrigger: async (triggerId: string) => request<{ firingId: string; actions: unknown[] }>("trigger.fired", { triggerId }),

    identify: async (user: Record<string, unknown>) => {
      // The host API says `avatar`; the socket event says `avatarUrl`.
      const { avatar, ...rest } = user;
      const ack = await request<{ contact: TWidgetContact }>("visitor.identify", {
        ...rest,
        ...(typeof avatar === "string" ? { avatarUrl: avatar } : {}),
      });
      if (ack.ok && isRecord(ack.data) && isRecord(ack.data.contact)) set({ contact: ack.data.contact });
      else if (!ack.ok) console.warn(`Parley: identify was refused (${ack.error.code}) ${ack.error.message}`);
    },
    setAttributes: (next: Record<string, unknown>) => {
      const accepted: Record<string, string | number | boolean | null> = {};
      for (const [key, value] of Object.entries(next)) {
        if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
          accepted[key] = value;
      }
      if (core.addAttributes(accepted)) void request("visitor.attributes", { attributes: accepted });
    },
    track: (event: string, data: unknown) => {
      void request("visitor.track", { event, ...(isRecord(data) ? { data } : {}) });
    },
  };
};

export type VisitorActions = ReturnType<typeof createVisitorActions>;
