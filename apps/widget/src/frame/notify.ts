/** Sound and browser notifications for replies that arrive while the visitor is not looking. */

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

/** Asked once, when the visitor first opens the chat (a moment they expect it), never on page load. */
export const askNotificationPermission = (): void => {
  try {
    if (typeof Notification !== "undefined" && Notification.permission === "default") void Notification.requestPermission();
  } catch {}
};

export const showNotification = (title: string, body: string, onClick: () => void): void => {
  try {
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const notification = new Notification(title, { body: body.slice(0, 200), tag: "parley-reply" });
    notification.onclick = () => {
      onClick();
      notification.close();
    };
  } catch {}
};
