import { notifications } from "@mantine/notifications";
import { useCallback } from "react";

/** A short confirmation that a change was made. */
export const useNotifySaved = () =>
  useCallback((title: string, message?: string) => {
    notifications.show(message ? { color: "teal", title, message } : { color: "teal", message: title });
  }, []);
