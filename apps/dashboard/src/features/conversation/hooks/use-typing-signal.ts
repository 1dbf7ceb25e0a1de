import { useCallback, useEffect, useRef } from "react";
import { useAgentSocket } from "../../realtime/hooks/use-agent-socket";

const REFRESH_MS = 3_000;
const IDLE_MS = 4_000;

/**
 * Tells the others in the conversation that this agent is typing: once when typing starts, again
 * every few seconds while it goes on (the server rate-limits), and "stopped" after a pause or a send.
 */
export const useTypingSignal = (conversationId: string, isPrivate: boolean) => {
  const { socket } = useAgentSocket();
  const lastSentRef = useRef(0);
  const idleTimerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  const isTypingRef = useRef(false);

  const emit = useCallback(
    (isTyping: boolean) => {
      if (!socket?.connected) return;
      // Fire and forget: a lost typing signal only delays an indicator.
      socket.emit("typing", { conversationId, isTyping, isPrivate }, () => undefined);
    },
    [conversationId, isPrivate, socket],
  );

  const stop = useCallback(() => {
    if (idleTimerRef.current !== null) clearTimeout(idleTimerRef.current);
    idleTimerRef.current = null;
    if (!isTypingRef.current) return;
    isTypingRef.current = false;
    lastSentRef.current = 0;
    emit(false);
  }, [emit]);

  const touch = useCallback(() => {
    const now = Date.now();
    if (!isTypingRef.current || now - lastSentRef.current > REFRESH_MS) {
      isTypingRef.current = true;
      lastSentRef.current = now;
      emit(true);
    }
    if (idleTimerRef.current !== null) clearTimeout(idleTimerRef.current);
    idleTimerRef.current = setTimeout(stop, IDLE_MS);
  }, [emit, stop]);

  useEffect(() => stop, [stop]);
  return { touch, stop };
};
