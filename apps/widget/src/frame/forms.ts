/** Checks the visitor's answers to a pre-chat, offline or in-chat form before they are sent. */

export type FormField = {
  key: string;
  label: string;
  type: string;
  required: boolean;
  options?: string[] | undefined;
  optionLabels?: Record<string, string> | undefined;
};

export type FormValues = Record<string, string | boolean>;
export type FieldProblem = "required" | "email" | "tel";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The server's own rule for phone numbers. */
const TEL = /^\+?[0-9 ()-]{5,20}$/;

export const validateForm = (fields: readonly FormField[], values: FormValues): Record<string, FieldProblem> => {
  const problems: Record<string, FieldProblem> = {};
  for (const field of fields) {
    const value = values[field.key];
    const text = typeof value === "string" ? value.trim() : "";
    if (field.type === "checkbox") {
      if (field.required && value !== true) problems[field.key] = "required";
      continue;
    }
    if (!text) {
      if (field.required) problems[field.key] = "required";
      continue;
    }
    if (field.type === "email" && !EMAIL.test(text)) problems[field.key] = "email";
    if (field.type === "tel" && !TEL.test(text)) problems[field.key] = "tel";
  }
  return problems;
};

/** Trimmed answers, without empty optional ones. */
export const cleanValues = (fields: readonly FormField[], values: FormValues): FormValues => {
  const cleaned: FormValues = {};
  for (const field of fields) {
    const value = values[field.key];
    if (typeof value === "boolean") cleaned[field.key] = value;
    else if (typeof value === "string" && value.trim()) cleaned[field.key] = value.trim();
  }
  return cleaned;
};

const lastKey = (path: unknown): string | null => {
  const parts = Array.isArray(path) ? path : typeof path === "string" ? path.split(".") : [];
  const key = parts.filter((part): part is string => typeof part === "string" && part !== "fields").pop();
  return key ?? null;
};

/**
 * Field errors the server sent with `validation_failed`: details as a list of `{ path, message }`
 * (path "email", "fields.email" or ["fields", "email"]) or as `{ fields: { email: message } }`.
 */
export const serverFieldErrors = (details: unknown): Record<string, string> => {
  const errors: Record<string, string> = {};
  if (typeof details !== "object" || details === null) return errors;
  const issues: unknown[] = Array.isArray(details) ? details : [];
  const issueList: unknown = Reflect.get(details, "issues");
  if (Array.isArray(issueList)) issues.push(...issueList);
  for (const issue of issues) {
    if (typeof issue !== "object" || issue === null) continue;
    const key = lastKey(Reflect.get(issue, "path"));
    const message: unknown = Reflect.get(issue, "message");
    if (key && typeof message === "string") errors[key] = message;
  }
  const fields: unknown = Array.isArray(details) ? null : Reflect.get(details, "fields");
  if (typeof fields === "object" && fields !== null) {
    for (const [key, message] of Object.entries(fields)) if (typeof message === "string") errors[key] = message;
  }
  return errors;
};
