import { type NotificationKind, readNotificationPreferences } from "./notification-preferences";

let audioContext: AudioContext | null = null;

/** A short two-tone chime made with Web Audio, so no sound file has to ship or load. */
const playChime = () => {
  try {
    audioContext ??= new AudioContext();
    const context = audioContext;
    const now = context.currentTime;
    for (const [index, frequency] of [880, 1320].entries()) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + index * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, now + index * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + index * 0.12 + 0.25);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(now + index * 0.12);
      oscillator.stop(now + index * 0.12 + 0.3);
    }
  } catch {
    // Autoplay rules may refuse sound before the first click; the desktop alert still shows.
  }
};

export const canShowDesktopNotifications = () => typeof Notification !== "undefined";

export const requestDesktopPermission = async (): Promise<NotificationPermission | "unsupported"> => {
  if (!canShowDesktopNotifications()) return "unsupported";
  if (Notification.permission !== "default") return Notification.permission;
  return Notification.requestPermission();
};

export type AlertInput = {
  userId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** Where a click on the desktop notification leads. */
  path: string;
  /** One notification per conversation replaces the last instead of piling up. */
  tag: string;
};

/** Sound and desktop notification for an event, as this member configured them. */
export const alertMember = (input: AlertInput, navigate: (path: string) => void) => {
  const preferences = readNotificationPreferences(input.userId);
  if (!preferences[input.kind]) return;
  if (preferences.sound) playChime();
  // While the tab is in front, the inbox itself shows the change; the desktop alert is for other windows.
  if (!preferences.desktop || !canShowDesktopNotifications() || Notification.permission !== "granted") return;
  if (document.visibilityState === "visible" && document.hasFocus()) return;
  const options = { body: input.body.slice(0, 200), tag: input.tag };
  const showInPage = () => {
    const notification = new Notification(input.title, options);
    notification.onclick = () => {
      window.focus();
      navigate(input.path);
      notification.close();
    };
  };
  // Installed as an app, notifications go through the service worker (phones allow no other way); its
  // click handler opens the path. Without one (a plain tab, plain http), a page notification navigates in place.
  if (!("serviceWorker" in navigator)) return showInPage();
  void navigator.serviceWorker.getRegistration().then((registration) => {
    if (registration?.active) void registration.showNotification(input.title, { ...options, data: { url: input.path } });
    else showInPage();
  });
};
