/**
 * A node's params as a form generated from its JSON Schema (rjsf). Its own module so the
 * canvas loads rjsf and its validator only once a node is selected.
 */

import Form from "@rjsf/core";
import type { ErrorSchema, Experimental_DefaultFormStateBehavior, RJSFSchema, UiSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useMemo, type ComponentPropsWithRef } from "react";

import { OptionSelect } from "./OptionSelect";
import { formSchema } from "./paramsSchema";

export interface ParamsFormProps {
  nodeId: string;
  schema: Record<string, unknown>;
  params: Record<string, unknown>;
  /** The builder's problems on these params, placed on their fields. */
  errors: ErrorSchema;
  readonly?: boolean;
  onChange(params: Record<string, unknown>): void;
}

// The spec changes as a person types: no submit button, the builder's validation speaks.
const UI_SCHEMA: UiSchema = { "ui:submitButtonOptions": { norender: true } };
const WIDGETS = { SelectWidget: OptionSelect };
// Defaults the schema states are shown (and saved once the form changes), but an optional list
// is not filled with empty items to meet its minItems: the builder would refuse them.
const DEFAULTS: Experimental_DefaultFormStateBehavior = {
  arrayMinItems: { populate: "never" },
  emptyObjectFields: "skipEmptyDefaults",
};

export default function ParamsForm({ nodeId, schema, params, errors, readonly, onChange }: ParamsFormProps) {
  // rjsf renders its own <form>; this names it, so it is a landmark a person can find.
  const LabelledForm = useMemo(() => {
    const label = `Parameters of ${nodeId}`;
    return function LabelledForm(props: ComponentPropsWithRef<"form">) {
      return <form {...props} aria-label={label} />;
    };
  }, [nodeId]);
  const shown = useMemo(() => formSchema(schema) as RJSFSchema, [schema]);
  return (
    <Form
      key={nodeId}
      tagName={LabelledForm}
      schema={shown}
      widgets={WIDGETS}
      experimental_defaultFormStateBehavior={DEFAULTS}
      uiSchema={UI_SCHEMA}
      formData={params}
      validator={validator}
      extraErrors={errors}
      showErrorList={false}
      noHtml5Validate
      readonly={readonly}
      onChange={(event) => onChange((event.formData ?? {}) as Record<string, unknown>)}
      onSubmit={() => undefined}
    />
  );
}
