import { describe, expect, it, vi } from "vitest";
import { createNotifier, type NotifierWindow } from "./notifications.ts";

/** A host window whose Notification API records what the loader asks and shows. */
const hostWindow = (permission: NotificationPermission, options: { throwsOnShow?: boolean } = {}) => {
  const shown: Array<{ title: string; options: NotificationOptions; notification: FakeNotification }> = [];
  const requestPermission = vi.fn(async () => permission);
  class FakeNotification {
    static permission = permission;
    static requestPermission = requestPermission;
    onclick: (() => void) | null = null;
    close = vi.fn();
    constructor(title: string, notificationOptions: NotificationOptions) {
      // Chrome on Android: "Illegal constructor. Use ServiceWorkerRegistration.showNotification() instead."
      if (options.throwsOnShow) throw new TypeError("Illegal constructor");
      shown.push({ title, options: notificationOptions, notification: this });
    }
  }
  const win = { Notification: FakeNotification as unknown as typeof Notification, focus: vi.fn() };
  return { win: win satisfies NotifierWindow, shown, requestPermission };
};

describe("createNotifier.ask", () => {
  it("asks the host page for permission once, while the visitor has not decided", () => {
    const { win, requestPermission } = hostWindow("default");
    const notifier = createNotifier(win, vi.fn());
    notifier.ask();
    notifier.ask();
    notifier.ask();
    expect(requestPermission).toHaveBeenCalledOnce();
  });

  it.each(["granted", "denied"] as const)("never asks again once the visitor chose (%s)", (permission) => {
    const { win, requestPermission } = hostWindow(permission);
    createNotifier(win, vi.fn()).ask();
    expect(requestPermission).not.toHaveBeenCalled();
  });

  it("does nothing in a browser without notifications", () => {
    const notifier = createNotifier({ Notification: undefined as unknown as typeof Notification, focus: vi.fn() }, vi.fn());
    expect(() => notifier.ask()).not.toThrow();
    expect(() => notifier.show("New message", "Hi", "")).not.toThrow();
  });
});

describe("createNotifier.show", () => {
  it("shows a reply with the permission, one notification tag for all replies, and the icon when there is one", () => {
    const { win, shown } = hostWindow("granted");
    const notifier = createNotifier(win, vi.fn());
    notifier.show("New message", "Anything else?", "https://cdn.example/acme.png");
    notifier.show("New message", "Still there?", "");
    expect(shown.map(({ title, options }) => [title, options])).toEqual([
      ["New message", { body: "Anything else?", tag: "parley-reply", icon: "https://cdn.example/acme.png" }],
      ["New message", { body: "Still there?", tag: "parley-reply", icon: undefined }],
    ]);
  });

  it.each(["default", "denied"] as const)("shows nothing without the permission (%s)", (permission) => {
    const { win, shown } = hostWindow(permission);
    createNotifier(win, vi.fn()).show("New message", "Anything else?", "");
    expect(shown).toEqual([]);
  });

  it("a click brings the page forward, opens the chat and closes the notification", () => {
    const { win, shown } = hostWindow("granted");
    const open = vi.fn();
    createNotifier(win, open).show("New message", "Anything else?", "");
    const [first] = shown;
    expect(open).not.toHaveBeenCalled();
    first?.notification.onclick?.();
    expect(win.focus).toHaveBeenCalledOnce();
    expect(open).toHaveBeenCalledOnce();
    expect(first?.notification.close).toHaveBeenCalledOnce();
  });

  it("keeps going where the page may not construct notifications (Chrome on Android)", () => {
    const { win } = hostWindow("granted", { throwsOnShow: true });
    expect(() => createNotifier(win, vi.fn()).show("New message", "Hi", "")).not.toThrow();
  });
});
