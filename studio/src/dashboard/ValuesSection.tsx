import { useState, type FormEvent } from "react";

import type { InsightsApi } from "../api/insights";
import type { Basis, TargetKind, ValueDefinition } from "../api/insightsTypes";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { formatUsd } from "./figures";
import { BASES, basisLabel, needsQuantity, valueChange } from "./values";

/** What a workflow's run or an endpoint's prediction is worth, set by editors; ROI follows. */
export function ValuesSection({ api, known, onChanged }: { api: InsightsApi; known: string[]; onChanged: () => void }) {
  const [version, setVersion] = useState(0);
  const loaded = useLoad(() => api.values(), [api, version]);
  const [targetKind, setTargetKind] = useState<TargetKind>("workflow");
  const [target, setTarget] = useState("");
  const [basis, setBasis] = useState<Basis>("per_run");
  const [amount, setAmount] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const existing = loaded.state === "done" ? loaded.data : [];
  // Endpoints to suggest: those that served in the last year (the service's default span).
  const endpoints = useLoad(() => api.roi("endpoint", "month"), [api]);
  const suggested =
    targetKind === "workflow"
      ? known
      : [...new Set(endpoints.state === "done" ? endpoints.data.rows.map((row) => row.key) : [])].sort();

  function changed(text: string) {
    setOutcome({ ok: true, text });
    setVersion((n) => n + 1);
    onChanged();
  }

  function failed(error: unknown) {
    setOutcome({ ok: false, text: `Value not set: ${error instanceof Error ? error.message : String(error)}` });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const change = valueChange({ targetKind, target, basis, amount, quantity }, existing);
    if (change.kind === "invalid") {
      setOutcome({ ok: false, text: `Value not set: ${change.field}: ${change.message}` });
      return;
    }
    setBusy(true);
    const done = `${target.trim()} is worth ${formatUsd(Number(amount))} ${basisLabel(basis)}`;
    const request = change.kind === "create" ? api.createValue(change.input) : api.updateValue(change.id, change.change);
    request.then(() => changed(`Value set: ${done}`), failed).finally(() => setBusy(false));
  }

  function remove(definition: ValueDefinition) {
    api.deleteValue(definition.id).then(() => changed(`Removed: ${definition.target} ${basisLabel(definition.basis)}`), failed);
  }

  return (
    <section aria-labelledby="values-title" className="dash-card">
      <h2 id="values-title">Value definitions</h2>
      <form className="dash-form" onSubmit={submit} aria-label="Set a value">
        <label>
          Kind
          <select
            value={targetKind}
            onChange={(event) => {
              const kind = event.target.value as TargetKind;
              setTargetKind(kind);
              setBasis(BASES[kind][0]!.basis);
            }}
          >
            <option value="workflow">workflow</option>
            <option value="endpoint">endpoint</option>
          </select>
        </label>
        <label>
          Workflow or endpoint
          <input list="value-targets" value={target} onChange={(event) => setTarget(event.target.value)} />
        </label>
        <datalist id="value-targets">
          {suggested.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <label>
          Basis
          <select value={basis} onChange={(event) => setBasis(event.target.value as Basis)}>
            {BASES[targetKind].map((b) => (
              <option key={b.basis} value={b.basis}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Amount (USD)
          <input inputMode="decimal" size={8} value={amount} onChange={(event) => setAmount(event.target.value)} />
        </label>
        {needsQuantity(basis) && (
          <label>
            Quantity
            <input inputMode="decimal" size={6} value={quantity} onChange={(event) => setQuantity(event.target.value)} />
          </label>
        )}
        <button type="submit" disabled={busy}>
          Set value
        </button>
      </form>
      {outcome &&
        (outcome.ok ? (
          <p role="status">{outcome.text}</p>
        ) : (
          <p className="error" role="alert">
            {outcome.text}
          </p>
        ))}
      {loaded.state === "loading" && <Loading what="value definitions" />}
      {loaded.state === "failed" && <Failure message={`Value definitions not loaded: ${loaded.message}`} />}
      {existing.length > 0 && (
        <table>
          <caption className="muted">What the tenant's outputs are worth</caption>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Worth</th>
              <th scope="col">Set by</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {existing.map((definition) => (
              <tr key={definition.id}>
                <th scope="row">
                  {definition.target} <span className="muted">({definition.target_kind})</span>
                </th>
                <td>
                  {formatUsd(Number(definition.amount_usd))} {basisLabel(definition.basis)}
                  {needsQuantity(definition.basis) && ` × ${Number(definition.quantity)}`}
                </td>
                <td>{definition.created_by}</td>
                <td>
                  <button type="button" className="link-button" aria-label={`Remove ${definition.target} ${basisLabel(definition.basis)}`} onClick={() => remove(definition)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
