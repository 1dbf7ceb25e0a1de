import { type IconProps, OutlineIcon } from "../../../components/icons";

/** Outline icons of the inbox's navigation entries, drawn like the shared ones. */
const SEARCH_PATHS = ["M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z", "M21 21l-4.35-4.35"] as const;
export const IconSearch = (props: IconProps) => <OutlineIcon paths={SEARCH_PATHS} {...props} />;
const VISITORS_PATHS = ["M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z", "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z"] as const;
export const IconVisitors = (props: IconProps) => <OutlineIcon paths={VISITORS_PATHS} {...props} />;
const CHATS_PATHS = [
  "M17 8h2a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2h-2v4l-4-4H9a2 2 0 0 1-2-2v-1",
  "M15 4H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h2v4l4-4h4a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2z",
] as const;
export const IconChats = (props: IconProps) => <OutlineIcon paths={CHATS_PATHS} {...props} />;
const BELL_PATHS = ["M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9", "M13.73 21a2 2 0 0 1-3.46 0"] as const;
export const IconBell = (props: IconProps) => <OutlineIcon paths={BELL_PATHS} {...props} />;
const PAPERCLIP_PATHS = [
  "M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5",
] as const;
export const IconPaperclip = (props: IconProps) => <OutlineIcon paths={PAPERCLIP_PATHS} {...props} />;
const SMILE_PATHS = ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M8 14s1.5 2 4 2 4-2 4-2", "M9 9h.01", "M15 9h.01"] as const;
export const IconSmile = (props: IconProps) => <OutlineIcon paths={SMILE_PATHS} {...props} />;
const SIDEBAR_PATHS = ["M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z", "M15 3v18"] as const;
export const IconSidebar = (props: IconProps) => <OutlineIcon paths={SIDEBAR_PATHS} {...props} />;
const REPLY_PATHS = ["M9 14L4 9l5-5", "M4 9h10.5a5.5 5.5 0 0 1 0 11H11"] as const;
export const IconReply = (props: IconProps) => <OutlineIcon paths={REPLY_PATHS} {...props} />;
const DOTS_PATHS = ["M5 12h.01", "M12 12h.01", "M19 12h.01"] as const;
export const IconDots = (props: IconProps) => <OutlineIcon paths={DOTS_PATHS} strokeWidth={3} {...props} />;
const X_PATHS = ["M18 6L6 18", "M6 6l12 12"] as const;
export const IconX = (props: IconProps) => <OutlineIcon paths={X_PATHS} {...props} />;
const USERS_PATHS = [
  "M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2",
  "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
  "M23 21v-2a4 4 0 0 0-3-3.87",
  "M16 3.13a4 4 0 0 1 0 7.75",
] as const;
/** A view or item shared with the whole workspace. */
export const IconUsers = (props: IconProps) => <OutlineIcon paths={USERS_PATHS} {...props} />;
const BOOKMARK_PATHS = ["M19 21l-7-5-7 5V5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2z"] as const;
export const IconBookmark = (props: IconProps) => <OutlineIcon paths={BOOKMARK_PATHS} {...props} />;
