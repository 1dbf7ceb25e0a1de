import { UAParser } from "ua-parser-js";

export type DeviceDescription = {
  browser: string | null;
  os: string | null;
  device: string | null;
  deviceType: "desktop" | "mobile" | "tablet" | "other";
};

const joined = (...parts: Array<string | undefined>): string | null => {
  const text = parts.filter((part) => part !== undefined && part !== "").join(" ");
  return text === "" ? null : text;
};

/** What a person recognises their device by, e.g. "Chrome 120" on "macOS 14.2", from a stored user agent. */
export const describeUserAgent = (userAgent: string | null): DeviceDescription => {
  if (!userAgent) return { browser: null, os: null, device: null, deviceType: "other" };
  const { browser, os, device } = UAParser(userAgent);
  const deviceType =
    device.type === "mobile" || device.type === "tablet"
      ? device.type
      : device.type === undefined && os.name !== undefined
        ? // The parser leaves desktops untyped; a recognised OS without a type is a desktop or laptop.
          "desktop"
        : "other";
  return {
    browser: joined(browser.name, browser.major),
    os: joined(os.name, os.version),
    device: joined(device.vendor, device.model),
    deviceType,
  };
};
