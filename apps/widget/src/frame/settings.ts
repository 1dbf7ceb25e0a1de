import type { TWidgetSettings } from "@parley/shared";
import { DEFAULT_WIDGET_SETTINGS } from "../../../../packages/shared/src/widget-defaults.ts";
import { type LauncherConfig, matchesUrlPattern } from "../protocol.ts";

/**
 * The inbox's widget settings as the frame uses them. Read field by field over defaults, so a
 * server that sends fewer fields (or an older one) still gives a working widget.
 */

export const DEFAULT_SETTINGS: TWidgetSettings = DEFAULT_WIDGET_SETTINGS;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** Each known field of `value` that has the default's type replaces the default. */
export const readSettings = (value: unknown): TWidgetSettings => {
  if (!isRecord(value)) return DEFAULT_SETTINGS;
  const settings: TWidgetSettings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS)) {
    const incoming = value[key];
    const fallback: unknown = Reflect.get(DEFAULT_SETTINGS, key);
    const isSameKind =
      incoming !== undefined &&
      (incoming === null
        ? fallback === null || key === "attentionBubble"
        : typeof incoming === typeof fallback || fallback === null);
    if (isSameKind) Reflect.set(settings, key, incoming);
  }
  return settings;
};

const LAUNCHER_ICONS: Record<TWidgetSettings["launcherIcon"], string> = {
  chat: "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z",
  message: "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM6 9h12v2H6zm8 5H6v-2h8zm4-6H6V6h12z",
  help: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 17h-2v-2h2zm2.1-7.8-.9.9c-.7.7-1.2 1.3-1.2 2.9h-2v-.5c0-1.1.4-2.1 1.2-2.8l1.2-1.3A2 2 0 1 0 10 9H8a4 4 0 1 1 7.1 2.2z",
  headset: "M12 1a9 9 0 0 0-9 9v7a3 3 0 0 0 3 3h3v-8H5v-2a7 7 0 0 1 14 0v2h-4v8h4v1h-7v2h6a3 3 0 0 0 3-3V10a9 9 0 0 0-9-9z",
};

const PANEL_SIZES: Record<TWidgetSettings["size"], [number, number]> = {
  compact: [340, 520],
  standard: [380, 640],
  large: [440, 720],
};

/** Relative luminance (WCAG 2.x) of a #RRGGBB colour. */
export const luminance = (hex: string): number => {
  const channels = [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

export const contrastRatio = (a: string, b: string): number => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
};

/** White or near-black text on the brand colour, whichever reads better (WCAG contrast). */
export const textColorOn = (background: string): string =>
  contrastRatio(background, "#ffffff") >= contrastRatio(background, "#1a1b1e") ? "#ffffff" : "#1a1b1e";

export const isHiddenOnPage = (settings: TWidgetSettings, pageUrl: string): boolean =>
  pageUrl !== "" && settings.hiddenUrlPatterns.some((pattern) => matchesUrlPattern(pattern, pageUrl));

export const launcherConfig = (
  settings: TWidgetSettings,
  input: { pageUrl: string; label: string; frameTitle: string; closeLabel: string; dir: "ltr" | "rtl" },
): LauncherConfig => {
  const [width, height] = PANEL_SIZES[settings.size] ?? PANEL_SIZES.standard;
  const color = /^#[0-9a-f]{6}$/i.test(settings.primaryColor) ? settings.primaryColor : DEFAULT_SETTINGS.primaryColor;
  return {
    vars: [
      ["--c", color],
      ["--o", textColorOn(color)],
      ["--x", `${settings.offsetX}px`],
      ["--y", `${settings.offsetY}px`],
      ["--w", `${width}px`],
      ["--h", `${height}px`],
    ],
    isLeft: settings.position === "left",
    icon: LAUNCHER_ICONS[settings.launcherIcon] ?? LAUNCHER_ICONS.chat,
    hideOnMobile: settings.hideOnMobile,
    isHiddenHere: isHiddenOnPage(settings, input.pageUrl),
    label: input.label,
    frameTitle: input.frameTitle,
    closeLabel: input.closeLabel,
    dir: input.dir,
  };
};
