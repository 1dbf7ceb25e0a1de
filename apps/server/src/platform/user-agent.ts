import Bowser from "bowser";

export type ParsedUserAgent = {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  deviceType: "desktop" | "mobile" | "tablet" | "tv" | "bot" | null;
};

const DEVICE_TYPES = new Set(["desktop", "mobile", "tablet", "tv", "bot"]);

/** Browser and version, operating system and device type from a user agent (bowser, MIT). */
export const parseUserAgent = (userAgent: string | null | undefined): ParsedUserAgent => {
  if (!userAgent) return { browser: null, browserVersion: null, os: null, deviceType: null };
  const result = Bowser.parse(userAgent.slice(0, 1000));
  const platform = result.platform.type?.toLowerCase() ?? "";
  return {
    browser: result.browser.name || null,
    browserVersion: result.browser.version || null,
    os: [result.os.name, result.os.versionName ?? result.os.version].filter(Boolean).join(" ") || null,
    deviceType: DEVICE_TYPES.has(platform) ? (platform as ParsedUserAgent["deviceType"]) : null,
  };
};
