import { useEffect, useState } from "react";

/** The current time, refreshed every `intervalMs`, for "waiting 5m" labels (no server calls). */
export const useNow = (intervalMs = 30_000): number => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
};
