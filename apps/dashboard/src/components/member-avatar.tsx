import { Avatar, type AvatarProps } from "@mantine/core";

const initialsOf = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");

/** A member's profile picture; their initials show while there is none or when it fails to load. */
export const MemberAvatar = ({
  name,
  avatarUrl,
  ...props
}: { name: string; avatarUrl: string | null } & Omit<AvatarProps, "src" | "children">) => (
  <Avatar src={avatarUrl} alt={name} color="blue" radius="xl" {...props}>
    {initialsOf(name)}
  </Avatar>
);
