import Bowser from "bowser";
import { parseUserAgent } from "../../platform/user-agent.ts";

export type DeviceDescription = {
  browser: string | null;
  os: string | null;
  device: string | null;
  deviceType: "desktop" | "mobile" | "tablet" | "other";
};

const joined = (...parts: Array<string | null | undefined>): string | null => {
  const text = parts.filter((part) => part !== undefined && part !== null && part !== "").join(" ");
  return text === "" ? null : text;
};

/** What a person recognises their device by, e.g. "Chrome 120" on "macOS 10.15.7", from a stored user agent. */
export const describeUserAgent = (userAgent: string | null): DeviceDescription => {
  if (!userAgent) return { browser: null, os: null, device: null, deviceType: "other" };
  const parsed = parseUserAgent(userAgent);
  const { platform } = Bowser.parse(userAgent.slice(0, 1000));
  return {
    browser: joined(parsed.browser, parsed.browserVersion?.split(".")[0]),
    os: parsed.os,
    device: joined(platform.vendor, platform.model),
    deviceType:
      parsed.deviceType === "desktop" || parsed.deviceType === "mobile" || parsed.deviceType === "tablet"
        ? parsed.deviceType
        : "other",
  };
};
