import { useCallback, useState } from "react";
import { isApiError } from "../../../lib/api-client";
import { type FieldErrors, pickFieldErrors } from "../../../lib/use-form-fields";

/**
 * A form's failed submit: problems about fields this form shows go next to those fields,
 * anything else (a conflict, a lost connection) above the form.
 */
export const useServerErrors = <Field extends string>(fields: readonly Field[]) => {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<unknown>(null);

  const handleError = (error: unknown) => {
    if (!isApiError(error)) {
      setFormError(error);
      return;
    }
    const picked = pickFieldErrors(fields, error.fieldErrors);
    setFieldErrors(picked.errors);
    setFormError(picked.isComplete ? null : error);
  };

  const clearField = useCallback((field: Field) => {
    setFieldErrors((previous) => {
      if (previous[field] === undefined) return previous;
      const next = { ...previous };
      delete next[field];
      return next;
    });
  }, []);

  const reset = useCallback(() => {
    setFieldErrors({});
    setFormError(null);
  }, []);

  return { fieldErrors, setFieldErrors, formError, handleError, clearField, reset };
};
