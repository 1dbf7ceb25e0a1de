import { h } from "preact";
import { useState } from "preact/hooks";
import { type FieldProblem, type FormField, type FormValues, validateForm } from "../forms.ts";
import { describeRefusal, type MessageKey } from "../i18n.ts";
import type { FormResult } from "../widget-client.ts";
import { useTranslator } from "./context.ts";

const PROBLEM_KEYS: Record<FieldProblem, MessageKey> = { required: "required", email: "badEmail", tel: "badPhone" };

let formCounter = 0;

const inputType = (type: string): "email" | "tel" | "number" | "date" | "text" =>
  type === "email" || type === "tel" || type === "number" || type === "date" ? type : "text";

const FieldInput = ({
  field,
  id,
  value,
  error,
  onChange,
}: {
  field: FormField;
  id: string;
  value: string | boolean | undefined;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
}) => {
  const describedBy = error ? `${id}-error` : undefined;
  const common = {
    id,
    name: field.key,
    required: field.required,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
  };
  const text = typeof value === "string" ? value : "";
  const input =
    field.type === "checkbox" ? (
      <input {...common} type="checkbox" checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />
    ) : field.type === "textarea" ? (
      <textarea {...common} rows={3} value={text} onInput={(event) => onChange(event.currentTarget.value)} />
    ) : field.type === "select" ? (
      <select {...common} value={text} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="" />
        {(field.options ?? []).map((option) => (
          <option key={option} value={option}>
            {field.optionLabels?.[option] ?? option}
          </option>
        ))}
      </select>
    ) : (
      h("input", {
        ...common,
        type: inputType(field.type),
        autocomplete: field.type === "email" ? "email" : field.type === "tel" ? "tel" : field.key === "name" ? "name" : undefined,
        value: text,
        onInput: (event: Event) => {
          if (event.currentTarget instanceof HTMLInputElement) onChange(event.currentTarget.value);
        },
      })
    );
  return (
    <div class={`field field-${field.type}`}>
      <label for={id}>
        {field.label}
        {field.required && <span aria-hidden="true"> *</span>}
      </label>
      {input}
      {error && (
        <p class="field-error" id={describedBy}>
          {error}
        </p>
      )}
    </div>
  );
};

/** A form of configured fields, checked here first and then by the server, whose field errors show per field. */
export const FieldsForm = ({
  fields,
  submitLabel,
  onSubmit,
  extra,
  extraValid,
  initialValues,
}: {
  fields: readonly FormField[];
  submitLabel: string;
  onSubmit: (values: FormValues) => Promise<FormResult> | FormResult;
  /** Something after the fields (the offline form's message box). */
  extra?: preact.ComponentChildren;
  extraValid?: () => string | null;
  /** What the widget already knows (an identified visitor's name and email). */
  initialValues?: FormValues;
}) => {
  const translator = useTranslator();
  const { t } = translator;
  const [prefix] = useState(() => {
    formCounter += 1;
    return `f${formCounter}`;
  });
  const [values, setValues] = useState<FormValues>(initialValues ?? {});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const problems = validateForm(fields, values);
    const local = Object.fromEntries(Object.entries(problems).map(([key, problem]) => [key, t(PROBLEM_KEYS[problem])]));
    const extraProblem = extraValid?.() ?? null;
    setErrors(local);
    setFailure(extraProblem);
    const firstKey = Object.keys(local)[0];
    if (firstKey) {
      document.getElementById(`${prefix}-${firstKey}`)?.focus();
      return;
    }
    if (extraProblem) return;
    setBusy(true);
    const result = await onSubmit(values);
    setBusy(false);
    if (!result.ok) {
      setErrors(result.fieldErrors);
      setFailure(
        result.refusal && Object.keys(result.fieldErrors).length === 0 ? describeRefusal(translator, result.refusal) : null,
      );
    }
  };

  return (
    <form class="form" onSubmit={submit} noValidate>
      {fields.map((field) => (
        <FieldInput
          key={field.key}
          field={field}
          id={`${prefix}-${field.key}`}
          value={values[field.key]}
          error={errors[field.key]}
          onChange={(value) => setValues({ ...values, [field.key]: value })}
        />
      ))}
      {extra}
      {failure && (
        <p class="form-error" role="alert">
          {failure}
        </p>
      )}
      <button type="submit" class="primary" disabled={isBusy}>
        {submitLabel}
      </button>
    </form>
  );
};
