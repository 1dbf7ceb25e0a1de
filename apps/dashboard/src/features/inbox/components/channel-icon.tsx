import type { TInboxSummary } from "@parley/shared";
import type { SVGProps } from "react";

const PATHS: Record<TInboxSummary["type"], readonly string[]> = {
  website: [
    "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z",
    "M3.6 9h16.8",
    "M3.6 15h16.8",
    "M12 3a15 15 0 0 1 0 18",
    "M12 3a15 15 0 0 0 0 18",
  ],
  messenger: [
    "M12 3C7 3 3 6.7 3 11.3c0 2.6 1.3 4.9 3.3 6.4V21l3-1.7c.9.3 1.8.4 2.7.4 5 0 9-3.7 9-8.4S17 3 12 3z",
    "M7 13l3.5-3.5 2.5 2.5L17 9",
  ],
  instagram: [
    "M7 3h10a4 4 0 0 1 4 4v10a4 4 0 0 1-4 4H7a4 4 0 0 1-4-4V7a4 4 0 0 1 4-4z",
    "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
    "M17.5 6.5h.01",
  ],
  whatsapp: [
    "M3 21l1.7-5A9 9 0 1 1 8 19.4L3 21z",
    "M9 9.5c0 3 2.5 5.5 5.5 5.5l1-1.5-2-1-1 1c-1-.5-1.8-1.3-2.3-2.3l1-1-1-2L9 9.5z",
  ],
  telegram: ["M21 4L3 11l6 2.5", "M21 4l-3.5 16-8.5-7", "M9 13.5V19l3-3"],
  email: ["M4 5h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z", "M3 6l9 7 9-7"],
  sms: ["M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z", "M8 10h.01", "M12 10h.01", "M16 10h.01"],
  api: ["M8 7l-5 5 5 5", "M16 7l5 5-5 5", "M14 4l-4 16"],
};

/** The channel an inbox speaks, as an icon with the channel's name for assistive tech. */
export const ChannelIcon = ({
  type,
  label,
  size = 14,
  ...props
}: { type: TInboxSummary["type"]; label: string; size?: number } & Omit<SVGProps<SVGSVGElement>, "children">) => (
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
    role="img"
    aria-label={label}
    {...props}
  >
    <title>{label}</title>
    {PATHS[type].map((d) => (
      <path key={d} d={d} />
    ))}
  </svg>
);
