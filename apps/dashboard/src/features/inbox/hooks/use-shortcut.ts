import { useEffect, useRef } from "react";

/** Typing in a field, an editable area or a menu must never trigger a single-key shortcut. */
const isTypingTarget = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.getAttribute("role") === "textbox";
};

/** The list of single-key shortcuts, shown by the `?` cheat sheet. */
export const SHORTCUTS = [
  { keys: "j", action: "next" },
  { keys: "k", action: "previous" },
  { keys: "r", action: "reply" },
  { keys: "n", action: "note" },
  { keys: "e", action: "resolve" },
  { keys: "u", action: "unread" },
  { keys: "a", action: "assign" },
  { keys: "/", action: "search" },
  { keys: "Esc", action: "blur" },
  { keys: "?", action: "help" },
] as const;

/** Runs `handler` when `key` is pressed outside text fields, with no Ctrl/Alt/Meta held. */
export const useShortcut = (key: string, handler: () => void, isEnabled = true) => {
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    if (!isEnabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
      if (event.key !== key || isTypingTarget(event.target)) return;
      // A dialog open on top owns the keyboard.
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      event.preventDefault();
      handlerRef.current();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [key, isEnabled]);
};
