import type { HostCommand } from "../protocol.ts";

/**
 * The host API calls the frame carries out. The loader checks only the command's name (its 4 KB
 * budget) and forwards the arguments; their checks live here, next to their only use.
 */
export type HostCall =
  | { command: "identify"; user: Record<string, unknown> }
  | { command: "setAttributes"; attributes: Record<string, unknown> }
  | { command: "track"; event: string; data: Record<string, unknown> | undefined }
  | { command: "setLocale"; locale: string }
  | { command: "reset" };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isName = (value: unknown): value is string => typeof value === "string" && value.trim() !== "" && value.length <= 100;

/** Null for bad arguments: the caller warns, as the loader does for a bad command. */
export const parseHostCall = (command: HostCommand, args: unknown[]): HostCall | null => {
  const [first, second] = args;
  switch (command) {
    case "identify":
      return isObject(first) ? { command, user: first } : null;
    case "setAttributes":
      return isObject(first) ? { command, attributes: first } : null;
    case "track":
      return isName(first) && (second === undefined || isObject(second)) ? { command, event: first, data: second } : null;
    case "setLocale":
      return isName(first) ? { command, locale: first } : null;
    case "reset":
      return { command };
  }
};
