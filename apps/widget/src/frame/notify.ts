import type { TMessage, TWidgetSettings } from "@parley/shared";
import type { FrameToHostMessage } from "../protocol.ts";

/**
 * Sound for replies that arrive while the visitor is not looking. Browser notifications are the
 * loader's (`parley:notify`): Chrome refuses notification permission to cross-origin iframes.
 */

let audio: AudioContext | null = null;

/** A short two-tone chime, synthesised: no sound file to download. */
export const playChime = (): void => {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [index, frequency] of [880, 1320].entries()) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + index * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, now + index * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + index * 0.12 + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + index * 0.12);
      oscillator.stop(now + index * 0.12 + 0.32);
    }
  } catch {
    // Autoplay rules may refuse sound until the visitor interacts with the frame; the badge still shows.
  }
};

/** A reply chimes and notifies only when the visitor is not looking at the chat. */
export const isVisitorAway = (isOpen: boolean, visibility: DocumentVisibilityState): boolean =>
  !isOpen || visibility === "hidden";

const MAX_BODY = 200;

/** What the host page shows for a reply: its text, else its first file's name, with the inbox's avatar or logo. */
export const replyNotification = (
  reply: Pick<TMessage, "text" | "attachments">,
  settings: Pick<TWidgetSettings, "avatarUrl" | "logoUrl">,
  title: string,
): Extract<FrameToHostMessage, { type: "parley:notify" }> => ({
  type: "parley:notify",
  title,
  text: (reply.text.trim() || reply.attachments[0]?.fileName || title).slice(0, MAX_BODY),
  icon: settings.avatarUrl ?? settings.logoUrl ?? "",
});
