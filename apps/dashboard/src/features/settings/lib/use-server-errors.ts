import { useCallback, useState } from "react";
import { isApiError } from "../../../lib/api-client";
import { hasTranslatedReason, useErrorMessage } from "../../../lib/use-error-message";
import { type FieldErrors, pickFieldErrors } from "../../../lib/use-form-fields";

const rewordAll = <Field extends string>(
  fields: readonly Field[],
  errors: FieldErrors<Field>,
  sentence: string,
): FieldErrors<Field> => {
  const reworded: FieldErrors<Field> = {};
  for (const field of fields) if (errors[field] !== undefined) reworded[field] = sentence;
  return reworded;
};

/**
 * A form's failed submit: problems about fields this form shows go next to those fields,
 * anything else (a conflict, a lost connection) above the form.
 */
export const useServerErrors = <Field extends string>(fields: readonly Field[]) => {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const describeError = useErrorMessage();

  const handleError = (error: unknown) => {
    if (!isApiError(error)) {
      setFormError(error);
      return;
    }
    const picked = pickFieldErrors(fields, error.fieldErrors);
    // The server's note on a field is a few English words; a translated reason says it in the reader's language.
    setFieldErrors(hasTranslatedReason(error) ? rewordAll(fields, picked.errors, describeError(error)) : picked.errors);
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
