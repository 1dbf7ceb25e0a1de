const MB = 1024 * 1024;

export const formatInt = (value: number): string => Math.round(value).toLocaleString("en-US");

export const formatMs = (ms: number): string => {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${formatInt(ms)} ms`;
};

export const formatSeconds = (ms: number): string => {
  if (!Number.isFinite(ms)) return "n/a";
  return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
};

/** Whole megabytes print bare (budgets), measured ones with a decimal so "250 MB" never hides 250.4. */
export const formatMB = (bytes: number): string => `${bytes % MB === 0 ? formatInt(bytes / MB) : (bytes / MB).toFixed(1)} MB`;

export const formatKB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export const megabytes = (count: number): number => count * MB;
