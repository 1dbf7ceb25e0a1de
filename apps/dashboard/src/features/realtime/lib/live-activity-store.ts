import { useSyncExternalStore } from "react";

/**
 * Ephemeral realtime state that never belongs in the query cache: who is typing where, what a
 * visitor is typing before sending, and which conversation this tab has open.
 */
export type TypingActor = { type: "agent" | "contact"; id: string; name: string | null };

type Typing = { actor: TypingActor; expiresAt: number };

// A lost "stopped typing" (closed tab, dropped socket) must not leave the indicator on forever.
const TYPING_TTL_MS = 8_000;
const SNEAK_PEEK_TTL_MS = 15_000;

type State = {
  typing: ReadonlyMap<string, readonly Typing[]>;
  sneakPeek: ReadonlyMap<string, { text: string; expiresAt: number }>;
};

let state: State = { typing: new Map(), sneakPeek: new Map() };
let openConversationId: string | null = null;
const listeners = new Set<() => void>();

const publish = (next: State) => {
  state = next;
  for (const listener of listeners) listener();
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

let sweepTimer: ReturnType<typeof setTimeout> | null = null;
const scheduleSweep = () => {
  if (sweepTimer !== null) return;
  sweepTimer = setTimeout(() => {
    sweepTimer = null;
    const now = Date.now();
    const typing = new Map<string, readonly Typing[]>();
    for (const [conversationId, entries] of state.typing) {
      const alive = entries.filter((entry) => entry.expiresAt > now);
      if (alive.length > 0) typing.set(conversationId, alive);
    }
    const sneakPeek = new Map([...state.sneakPeek].filter(([, peek]) => peek.expiresAt > now));
    publish({ typing, sneakPeek });
    if (typing.size > 0 || sneakPeek.size > 0) scheduleSweep();
  }, 1_000);
};

export const recordTyping = (conversationId: string, actor: TypingActor, isTyping: boolean) => {
  const others = (state.typing.get(conversationId) ?? []).filter(
    (entry) => entry.actor.id !== actor.id || entry.actor.type !== actor.type,
  );
  const entries = isTyping ? [...others, { actor, expiresAt: Date.now() + TYPING_TTL_MS }] : others;
  const typing = new Map(state.typing);
  if (entries.length > 0) typing.set(conversationId, entries);
  else typing.delete(conversationId);
  // The contact stopped typing: their draft is gone or sent, so the peek goes too.
  const sneakPeek = new Map(state.sneakPeek);
  if (!isTyping && actor.type === "contact") sneakPeek.delete(conversationId);
  publish({ typing, sneakPeek });
  scheduleSweep();
};

export const recordSneakPeek = (conversationId: string, text: string) => {
  const sneakPeek = new Map(state.sneakPeek);
  if (text.trim() === "") sneakPeek.delete(conversationId);
  else sneakPeek.set(conversationId, { text, expiresAt: Date.now() + SNEAK_PEEK_TTL_MS });
  publish({ ...state, sneakPeek });
  scheduleSweep();
};

/** A sent contact message ends their typing indicator and draft preview. */
export const clearContactActivity = (conversationId: string) => {
  const entries = (state.typing.get(conversationId) ?? []).filter((entry) => entry.actor.type !== "contact");
  const typing = new Map(state.typing);
  if (entries.length > 0) typing.set(conversationId, entries);
  else typing.delete(conversationId);
  const sneakPeek = new Map(state.sneakPeek);
  sneakPeek.delete(conversationId);
  publish({ typing, sneakPeek });
};

const NO_TYPING: readonly Typing[] = [];

export const useTypingActors = (conversationId: string): readonly TypingActor[] => {
  const entries = useSyncExternalStore(subscribe, () => state.typing.get(conversationId) ?? NO_TYPING);
  return entries.map((entry) => entry.actor);
};

export const useSneakPeek = (conversationId: string): string | null =>
  useSyncExternalStore(subscribe, () => state.sneakPeek.get(conversationId)?.text ?? null);

/** Which conversation this tab shows, so its new messages count as read and do not notify. */
export const setOpenConversation = (conversationId: string | null) => {
  openConversationId = conversationId;
};
export const getOpenConversation = () => openConversationId;

let openInternalChatId: string | null = null;
/** Which internal chat this tab shows, so its new messages do not count as unread. */
export const setOpenInternalChat = (chatId: string | null) => {
  openInternalChatId = chatId;
};
export const getOpenInternalChat = () => openInternalChatId;
