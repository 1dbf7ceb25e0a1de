import { z } from "zod";

/**
 * A trimmed, single-value text field. PostgreSQL cannot store NUL characters, so they are refused
 * here rather than failing deep in a write.
 */
export const zPlainText = (options: { max: number; emptyMessage?: string }) =>
  z
    .string()
    .trim()
    .min(1, { message: options.emptyMessage ?? "Fill this in." })
    .max(options.max, { message: `Use at most ${options.max} characters.` })
    .refine((value) => !value.includes("\u0000"), { message: "Remove the NUL character from this text." });
