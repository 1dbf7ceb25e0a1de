import type { SVGProps } from "react";

export type IconProps = Omit<SVGProps<SVGSVGElement>, "children"> & { size?: number };

/** Outline icon drawn on a 24-unit grid; it inherits the text colour and is hidden from assistive tech. */
export const OutlineIcon = ({ paths, size = 18, ...props }: IconProps & { paths: readonly string[] }) => (
  <svg
    xmlns="http://www.w3.org/2000/svg"
    width={size}
    height={size}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth={2}
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden="true"
    focusable="false"
    {...props}
  >
    {paths.map((d) => (
      <path key={d} d={d} />
    ))}
  </svg>
);

const HOME_PATHS = ["M3 11l9-8 9 8", "M5 9.5V20a1 1 0 0 0 1 1h4v-6h4v6h4a1 1 0 0 0 1-1V9.5"] as const;
export const IconHome = (props: IconProps) => <OutlineIcon paths={HOME_PATHS} {...props} />;
const SETTINGS_PATHS = [
  "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  "M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z",
] as const;
export const IconSettings = (props: IconProps) => <OutlineIcon paths={SETTINGS_PATHS} {...props} />;
const ALERT_TRIANGLE_PATHS = [
  "M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z",
  "M12 9v4",
  "M12 17h.01",
] as const;
export const IconAlertTriangle = (props: IconProps) => <OutlineIcon paths={ALERT_TRIANGLE_PATHS} {...props} />;
const INBOX_PATHS = [
  "M22 12h-6l-2 3h-4l-2-3H2",
  "M5.5 5.1L2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.5-6.9A2 2 0 0 0 16.8 4H7.2a2 2 0 0 0-1.7 1.1z",
] as const;
export const IconInbox = (props: IconProps) => <OutlineIcon paths={INBOX_PATHS} {...props} />;
const LOGOUT_PATHS = ["M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "M16 17l5-5-5-5", "M21 12H9"] as const;
export const IconLogout = (props: IconProps) => <OutlineIcon paths={LOGOUT_PATHS} {...props} />;
const SUN_PATHS = [
  "M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10z",
  "M12 1v2",
  "M12 21v2",
  "M4.2 4.2l1.4 1.4",
  "M18.4 18.4l1.4 1.4",
  "M1 12h2",
  "M21 12h2",
  "M4.2 19.8l1.4-1.4",
  "M18.4 5.6l1.4-1.4",
] as const;
export const IconSun = (props: IconProps) => <OutlineIcon paths={SUN_PATHS} {...props} />;
const MOON_PATHS = ["M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z"] as const;
export const IconMoon = (props: IconProps) => <OutlineIcon paths={MOON_PATHS} {...props} />;
const CHECK_PATHS = ["M20 6L9 17l-5-5"] as const;
export const IconCheck = (props: IconProps) => <OutlineIcon paths={CHECK_PATHS} {...props} />;
const CHEVRON_DOWN_PATHS = ["M6 9l6 6 6-6"] as const;
export const IconChevronDown = (props: IconProps) => <OutlineIcon paths={CHEVRON_DOWN_PATHS} {...props} />;
const REFRESH_PATHS = ["M23 4v6h-6", "M1 20v-6h6", "M3.5 9a9 9 0 0 1 14.9-3.4L23 10", "M1 14l4.6 4.4A9 9 0 0 0 20.5 15"] as const;
export const IconRefresh = (props: IconProps) => <OutlineIcon paths={REFRESH_PATHS} {...props} />;
