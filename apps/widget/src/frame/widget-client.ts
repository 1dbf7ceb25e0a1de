import type { TMessage, TWidgetSettings } from "@parley/shared";
import {
  countUnread,
  isFromTeam,
  lastStoredSeq,
  mergeMessages,
  newClientId,
  pendingMessage,
  updateLocal,
} from "./chat-messages.ts";
import { type Ack, connectWidget, type WidgetConnection } from "./connection.ts";
import { type PageInfo, saveVisitorToken, startSession, storage, type WidgetSession } from "./session.ts";
import { readSettings } from "./settings.ts";
import { checkUpload, isImageFile, type UploadProblem, uploadFile } from "./upload.ts";
import { createVisitorActions } from "./visitor-actions.ts";
import { type ClientEvents, initialState, type WidgetState } from "./widget-state.ts";

export type { ConversationSummary, FormResult, ProactiveGreeting, WidgetState } from "./widget-state.ts";

/**
 * Everything the frame knows and does, without UI: the session, the `/widget` socket, the message
 * list with its pending sends, and the host page's calls. Components read `state` and call methods.
 */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const readMessage = (value: unknown): TMessage | null =>
  isRecord(value) && isRecord(value.message) && typeof value.message.id === "string" && typeof value.message.seq === "number"
    ? // The server's own ZMessage; the checks above are what the list relies on.
      (value.message as TMessage)
    : null;

const TYPING_VISIBLE_MS = 8_000;
const TYPING_RESEND_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

const profileKey = (inboxToken: string) => `parley:profile:${inboxToken}`;

export type WidgetClient = ReturnType<typeof createWidgetClient>;

export const createWidgetClient = (input: {
  inboxToken: string;
  initialSettings: TWidgetSettings;
  events: Partial<ClientEvents>;
}) => {
  const { inboxToken, events } = input;
  let state = initialState(input.initialSettings);
  let session: WidgetSession | null = null;
  let connection: WidgetConnection | null = null;
  let page: PageInfo | null = null;
  let attributes: Record<string, string | number | boolean | null> = {};
  const listeners = new Set<() => void>();
  const uploads = new Map<string, File>();
  let typingTimer = 0;
  let typingSentAt = 0;
  let typingIdleTimer = 0;
  let lastReadSent = 0;
  let lastDeliveredSent = 0;
  let isResyncing = false;

  const set = (change: Partial<WidgetState>) => {
    state = { ...state, ...change };
    const unread = state.isOpen
      ? 0
      : countUnread(
          state.messages.filter((message) => message.deliveryStatus !== "read"),
          0,
        );
    if (unread !== state.unread) {
      state = { ...state, unread };
      events.unread?.(unread);
    }
    for (const listener of listeners) listener();
  };

  // Host calls (identify, track…) can come before the session: they wait for the socket, which buffers until connected.
  let resolveConnection: (opened: WidgetConnection) => void = () => undefined;
  let whenConnection = new Promise<WidgetConnection>((resolve) => {
    resolveConnection = resolve;
  });
  const request = async <T>(event: string, payload: unknown): Promise<Ack<T>> =>
    (connection ?? (await whenConnection)).request<T>(event, payload);

  /** Receipts: delivered as soon as replies reach the widget, read once the open panel shows them. */
  const sendReceipts = () => {
    const { conversationId } = state;
    if (!conversationId || !connection?.socket.connected) return;
    const teamSeq = state.messages.reduce(
      (highest, message) => (isFromTeam(message) && !message.local ? Math.max(highest, message.seq) : highest),
      0,
    );
    if (teamSeq > lastDeliveredSent) {
      lastDeliveredSent = teamSeq;
      connection.socket.emit("message.delivered", { conversationId, upToSeq: teamSeq });
    }
    const isLooking = state.isOpen && document.visibilityState === "visible";
    if (isLooking && teamSeq > lastReadSent) {
      lastReadSent = teamSeq;
      connection.socket.emit("messages.read", { conversationId, upToSeq: teamSeq });
      // Shown as read at once; the server's message.updated confirms it.
      set({
        messages: state.messages.map((message) =>
          isFromTeam(message) && message.seq <= teamSeq ? { ...message, deliveryStatus: "read" } : message,
        ),
      });
    }
  };

  const resync = async (conversationId: string, afterSeq: number) => {
    isResyncing = true;
    try {
      let cursor = afterSeq;
      for (let page = 0; page < 20; page += 1) {
        const ack = await request<{ items: TMessage[]; hasMore: boolean }>("conversation.resync", {
          conversationId,
          afterSeq: cursor,
        });
        if (!ack.ok || state.conversationId !== conversationId) return;
        set({ messages: mergeMessages(state.messages, ack.data.items) });
        const last = ack.data.items.at(-1);
        if (!ack.data.hasMore || !last) break;
        cursor = last.seq;
      }
      const queue = await request<{ position: number | null; estimatedWaitSeconds: number | null }>("queue.status", {
        conversationId,
      });
      if (queue.ok && state.conversationId === conversationId) set({ queue: queue.data });
    } finally {
      isResyncing = false;
      sendReceipts();
    }
  };

  const deliver = async (clientId: string) => {
    const message = state.messages.find((item) => item.local && item.clientId === clientId);
    if (!message?.local || !connection) return;
    const upload = message.local.upload;
    const firingId = message.local.triggerFiringId;
    set({ messages: updateLocal(state.messages, clientId, () => ({ status: "sending", error: null })) });
    if (!connection.socket.connected) return; // Sent again on reconnect, with the same clientId.
    const ack = await request<{ message: TMessage; conversationId: string; isDuplicate: boolean }>("message.send", {
      clientId,
      text: message.text,
      attachmentIds: upload?.attachmentId ? [upload.attachmentId] : [],
      ...(firingId ? { triggerFiringId: firingId } : {}),
    });
    if (!ack.ok) {
      set({ messages: updateLocal(state.messages, clientId, () => ({ status: "failed", error: ack.error })) });
      return;
    }
    if (upload?.previewUrl) URL.revokeObjectURL(upload.previewUrl);
    uploads.delete(clientId);
    const isNewConversation = state.conversationId !== ack.data.conversationId;
    set({
      conversationId: ack.data.conversationId,
      conversationStatus: isNewConversation ? "open" : state.conversationStatus,
      messages: mergeMessages(
        state.messages.filter((item) => !(firingId && item.greeting)),
        [ack.data.message],
      ),
      greeting: firingId ? null : state.greeting,
    });
    // A new conversation may start with messages the server put before ours (a proactive greeting).
    if (isNewConversation || firingId) await resync(ack.data.conversationId, 0);
  };

  const upload = async (clientId: string) => {
    const file = uploads.get(clientId);
    const visitorToken = session?.visitorToken;
    if (!file || !visitorToken) return;
    set({
      messages: updateLocal(state.messages, clientId, (local) => ({
        status: "uploading",
        error: null,
        upload: local.upload && { ...local.upload, progress: 0 },
      })),
    });
    const result = await uploadFile(file, visitorToken, (progress) =>
      set({
        messages: updateLocal(state.messages, clientId, (local) => ({ upload: local.upload && { ...local.upload, progress } })),
      }),
    ).promise;
    if (!result.ok) {
      set({ messages: updateLocal(state.messages, clientId, () => ({ status: "failed", error: result.refusal })) });
      return;
    }
    set({
      messages: updateLocal(state.messages, clientId, (local) => ({
        upload: local.upload && { ...local.upload, progress: 100, attachmentId: result.attachment.id },
      })),
    });
    await deliver(clientId);
  };

  const onConnected = async () => {
    const { conversationId } = state;
    if (conversationId) await resync(conversationId, lastStoredSeq(state.messages));
    // Messages written while offline, and sends whose ack was lost: the clientId makes a repeat harmless.
    for (const message of state.messages) {
      if (message.local?.status === "sending" && message.clientId) void deliver(message.clientId);
    }
    if (Object.keys(attributes).length > 0) void request("visitor.attributes", { attributes });
  };

  const listenTo = (current: WidgetConnection) => {
    const { socket } = current;
    socket.on("connect", () => void onConnected());
    socket.on("message.created", (payload: unknown) => {
      const message = readMessage(payload);
      if (!message) return;
      // A chat an agent started, or a new conversation after a closed one, becomes the one shown.
      const isOther = state.conversationId !== null && message.conversationId !== state.conversationId;
      if (isOther && (state.conversationStatus === "open" || state.conversationStatus === "pending")) return;
      const isNew = !state.messages.some((item) => item.id === message.id);
      set({
        conversationId: message.conversationId,
        conversationStatus: isOther ? "open" : state.conversationStatus,
        messages: mergeMessages(isOther ? [] : state.messages, [message]),
        agentTyping: isFromTeam(message) ? null : state.agentTyping,
      });
      if (isNew && isFromTeam(message) && !isResyncing) events.reply?.(message);
      if (isOther) void resync(message.conversationId, 0);
      sendReceipts();
    });
    socket.on("message.updated", (payload: unknown) => {
      const message = readMessage(payload);
      if (message && message.conversationId === state.conversationId) set({ messages: mergeMessages(state.messages, [message]) });
    });
    socket.on("conversation.updated", (payload: unknown) => {
      if (isRecord(payload) && payload.conversationId === state.conversationId && typeof payload.status === "string") {
        set({
          conversationStatus: payload.status,
          ...(payload.status === "resolved" || payload.status === "closed" ? { queue: null, agentTyping: null } : {}),
        });
      }
    });
    socket.on("typing", (payload: unknown) => {
      if (!isRecord(payload) || payload.conversationId !== state.conversationId) return;
      window.clearTimeout(typingTimer);
      if (payload.isTyping !== true) return set({ agentTyping: null });
      set({ agentTyping: { name: typeof payload.agentName === "string" ? payload.agentName : null } });
      // A lost "stopped typing" must not leave the indicator on forever.
      typingTimer = window.setTimeout(() => set({ agentTyping: null }), TYPING_VISIBLE_MS);
    });
    socket.on("queue.updated", (payload: unknown) => {
      if (!isRecord(payload) || payload.conversationId !== state.conversationId) return;
      const position = typeof payload.position === "number" ? payload.position : null;
      const wait = typeof payload.estimatedWaitSeconds === "number" ? payload.estimatedWaitSeconds : null;
      set({ queue: { position, estimatedWaitSeconds: wait } });
    });
    socket.on("widget.settings", (payload: unknown) => {
      if (!isRecord(payload)) return;
      const settings = readSettings(payload.settings);
      set({ settings });
      events.settings?.(settings);
    });
    socket.on("visitor.banned", () => {
      set({ phase: "banned" });
      events.banned?.();
      current.close();
    });
  };

  const connect = (visitorToken: string) => {
    connection?.close();
    const opened = connectWidget(visitorToken, (connectionState) => {
      set({ connection: connectionState });
      if (connectionState.status === "refused" && connectionState.reason?.includes("banned")) {
        set({ phase: "banned" });
        events.banned?.();
      }
    });
    connection = opened;
    listenTo(opened);
    resolveConnection(opened);
  };

  const start = async () => {
    set({ phase: "starting", failure: null });
    const outcome = await startSession(inboxToken, page);
    if (!outcome.ok) {
      if (outcome.isBanned) {
        set({ phase: "banned" });
        events.banned?.();
      } else {
        set({ phase: "failed", failure: outcome.message, connection: { status: "refused", reason: outcome.message } });
      }
      return;
    }
    session = outcome.session;
    const hasPreChat = session.settings.preChatForm.isEnabled && session.settings.preChatForm.fields.length > 0;
    set({
      phase: "ready",
      settings: session.settings,
      availability: session.availability,
      contact: session.contact,
      inboxName: session.inboxName,
      inboxGreeting: session.greetingMessage,
      conversationId: session.conversation?.id ?? null,
      conversationStatus: session.conversation?.status ?? null,
      hasProfile: !hasPreChat || session.conversation !== null || storage.get(profileKey(inboxToken)) === session.visitorId,
    });
    events.settings?.(session.settings);
    connect(session.visitorToken);
  };

  const setTyping = (isTyping: boolean) => {
    if (!connection?.socket.connected || !state.conversationId) return;
    window.clearTimeout(typingIdleTimer);
    const now = Date.now();
    if (isTyping) {
      if (now - typingSentAt > TYPING_RESEND_MS) {
        typingSentAt = now;
        connection.socket.emit("typing", { conversationId: state.conversationId, isTyping: true });
      }
      typingIdleTimer = window.setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    } else if (typingSentAt) {
      typingSentAt = 0;
      connection.socket.emit("typing", { conversationId: state.conversationId, isTyping: false });
    }
  };

  /** Shows another conversation (a past one, or none for a fresh start); receipts start over. */
  const switchConversation = (conversationId: string | null, status: string | null) => {
    lastReadSent = 0;
    lastDeliveredSent = 0;
    set({ conversationId, conversationStatus: status, messages: [], queue: null, agentTyping: null, offlineSent: false });
  };

  return {
    getState: () => state,
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSession: () => session,
    getAttributes: () => attributes,
    start,
    /** No inbox to talk to (the page's snippet is incomplete): nothing to start. */
    fail: () => set({ phase: "failed", failure: null }),
    retry: () => (state.phase === "failed" ? void start() : connection?.retry()),

    /** The host page's current page: first for the session, then `visitor.page` on each SPA navigation. */
    setPage: (next: PageInfo) => {
      const isChange = page?.url !== next.url || page?.title !== next.title;
      page = next;
      if (isChange && session && connection)
        void request("visitor.page", { url: next.url, title: next.title, referrer: next.referrer });
    },
    getPage: () => page,

    setOpen: (isOpen: boolean) => {
      set({ isOpen });
      sendReceipts();
    },
    markVisible: () => sendReceipts(),

    /** Sends text and/or one file; the message shows at once and is stored once, whatever happens to the network. */
    send: (text: string, file: File | null): UploadProblem | null => {
      const problem = file ? checkUpload(file) : null;
      if (problem) return problem;
      const trimmed = text.trim();
      if (!trimmed && !file) return null;
      setTyping(false);
      const clientId = newClientId();
      const greeting = state.conversationId === null ? state.greeting : null;
      const message = pendingMessage({
        clientId,
        // The server needs text with every message; a file alone is sent under its name.
        text: trimmed || file?.name || "",
        conversationId: state.conversationId,
        upload: file
          ? { file, previewUrl: isImageFile(file.name) ? URL.createObjectURL(file) : null, progress: 0, attachmentId: null }
          : null,
        triggerFiringId: greeting?.firingId ?? null,
      });
      set({ messages: [...state.messages, message] });
      if (file) {
        uploads.set(clientId, file);
        void upload(clientId);
      } else void deliver(clientId);
      return null;
    },
    retrySend: (clientId: string) => {
      const message = state.messages.find((item) => item.local && item.clientId === clientId);
      if (!message?.local) return;
      if (message.local.upload && !message.local.upload.attachmentId) void upload(clientId);
      else void deliver(clientId);
    },
    discard: (clientId: string) =>
      set({ messages: state.messages.filter((item) => !(item.local && item.clientId === clientId)) }),
    setTyping,

    switchConversation,
    ...createVisitorActions({
      getState: () => state,
      set,
      request,
      resync,
      deliver,
      switchConversation,
      rememberProfile: () => {
        if (session) storage.set(profileKey(inboxToken), session.visitorId);
      },
      addAttributes: (accepted) => {
        attributes = { ...attributes, ...accepted };
        return connection?.socket.connected === true;
      },
    }),

    /** Logout on the host site: a new anonymous visitor, nothing of the previous one left in this browser. */
    reset: async () => {
      connection?.close();
      connection = null;
      whenConnection = new Promise((resolve) => {
        resolveConnection = resolve;
      });
      session = null;
      attributes = {};
      saveVisitorToken(inboxToken, null);
      storage.set(profileKey(inboxToken), null);
      lastReadSent = 0;
      lastDeliveredSent = 0;
      const isOpen = state.isOpen;
      state = { ...initialState(state.settings), isOpen };
      set({});
      events.unread?.(0);
      await start();
    },
  };
};
