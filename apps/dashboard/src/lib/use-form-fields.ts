import { type ChangeEvent, useCallback, useState } from "react";

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

/** Controlled text fields with per-field errors; editing a field clears its error. */
export const useFormFields = <Field extends string>(initialValues: Record<Field, string>) => {
  const [values, setValues] = useState(initialValues);
  const [errors, setErrors] = useState<FieldErrors<Field>>({});

  const setValue = useCallback((field: Field, value: string) => {
    setValues((previous) => {
      const next = { ...previous };
      next[field] = value;
      return next;
    });
    setErrors((previous) => {
      if (previous[field] === undefined) return previous;
      const next = { ...previous };
      delete next[field];
      return next;
    });
  }, []);

  const fieldProps = (field: Field) => ({
    value: values[field],
    error: errors[field],
    onChange: (event: ChangeEvent<HTMLInputElement>) => setValue(field, event.currentTarget.value),
  });

  return { values, errors, setErrors, fieldProps };
};

/** The first issue per field of a failed schema parse, worded by `describe`. */
export const collectIssues = <Field extends string, Issue extends { path: PropertyKey[] }>(
  fields: readonly Field[],
  issues: readonly Issue[],
  describe: (field: Field, issue: Issue) => string,
): FieldErrors<Field> => {
  const errors: FieldErrors<Field> = {};
  for (const issue of issues) {
    const field = fields.find((candidate) => candidate === issue.path[0]);
    if (field !== undefined && errors[field] === undefined) errors[field] = describe(field, issue);
  }
  return errors;
};

/** Server field errors for the fields this form shows; `isComplete` is false when some problem has no field here. */
export const pickFieldErrors = <Field extends string>(
  fields: readonly Field[],
  fieldErrors: Readonly<Record<string, string>>,
): { errors: FieldErrors<Field>; isComplete: boolean } => {
  const errors: FieldErrors<Field> = {};
  let isComplete = true;
  for (const [name, message] of Object.entries(fieldErrors)) {
    const field = fields.find((candidate) => candidate === name);
    if (field === undefined) isComplete = false;
    else errors[field] = message;
  }
  return { errors, isComplete: isComplete && Object.keys(errors).length > 0 };
};
