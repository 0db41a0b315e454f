import { useMemo, useState, type FormEvent } from "react";

import { ApiError } from "../api/http";
import type { Signature } from "../api/marketplaceTypes";
import { useSignedIn } from "../session/StudioContext";
import { formFields, initialValues, showPrediction, toPayload } from "./signatureForm";

interface Props {
  endpoint: string;
  signature: Signature | null;
  inputExample: unknown;
}

/** One labelled field per signature input; Predict calls the endpoint and shows the answer. */
export function TryItForm({ endpoint, signature, inputExample }: Props) {
  const { marketplace } = useSignedIn();
  const fields = useMemo(() => formFields(signature?.inputs), [signature]);
  const [values, setValues] = useState(() => (fields ? initialValues(fields, inputExample) : {}));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [prediction, setPrediction] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!fields) {
    return <p className="muted">This model's signature names no input columns, so there is no form to try it.</p>;
  }

  async function predict(event: FormEvent) {
    event.preventDefault();
    const made = toPayload(fields!, values);
    setFailure(null);
    if (!made.ok) {
      setProblems(Object.fromEntries(made.problems.map((p) => [p.column, p.message])));
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      const answer = await marketplace.predict(endpoint, made.payload);
      setPrediction(showPrediction(answer.predictions));
    } catch (error) {
      setPrediction(null);
      const status = error instanceof ApiError ? ` (${error.status})` : "";
      setFailure(`Endpoint ${endpoint} did not predict${status}: ${error instanceof Error ? error.message : error}`);
    } finally {
      setBusy(false);
    }
  }

  const wrong = Object.entries(problems);
  return (
    <form aria-label={`Try ${endpoint}`} className="stack-form" onSubmit={predict} noValidate>
      {fields.map((field) => {
        const id = `try-${endpoint}-${field.column}`;
        return (
          <label key={field.column} htmlFor={id}>
            <span>
              {field.column} <span className="muted">({field.type})</span>
            </span>
            <input
              id={id}
              type={field.kind === "integer" || field.kind === "number" ? "number" : "text"}
              step={field.kind === "number" ? "any" : undefined}
              required={field.required}
              aria-invalid={problems[field.column] ? true : undefined}
              value={values[field.column] ?? ""}
              onChange={(event) => setValues({ ...values, [field.column]: event.target.value })}
            />
          </label>
        );
      })}
      {wrong.length > 0 && (
        <p className="error" role="alert">
          {wrong.map(([column, message]) => `${column} ${message}`).join("; ")}.
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={busy}>
          Predict
        </button>
      </div>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {prediction !== null && (
        <section aria-label="Prediction" className="prediction">
          Prediction: <output>{prediction}</output>
        </section>
      )}
    </form>
  );
}
