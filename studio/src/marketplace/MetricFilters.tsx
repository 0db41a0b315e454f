import { useId, useState, type FormEvent } from "react";

import { metricFilter, OPERATORS, type Operator } from "./searchQuery";

interface Props {
  metrics: string[];
  onChange(metrics: string[]): void;
}

/** Metric filters (roc_auc > 0.8): added from a small form, each removable. */
export function MetricFilters({ metrics, onChange }: Props) {
  const [name, setName] = useState("");
  const [operator, setOperator] = useState<Operator>(">");
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const problemId = useId();

  function add(event: FormEvent) {
    event.preventDefault();
    const made = metricFilter(name, operator, value);
    if (!made.ok) {
      setProblem(made.problem);
      return;
    }
    setProblem(null);
    setName("");
    setValue("");
    if (!metrics.includes(made.filter)) onChange([...metrics, made.filter]);
  }

  return (
    <fieldset className="facet">
      <legend>Metrics</legend>
      {metrics.length > 0 && (
        <ul className="chips" aria-label="Metric filters">
          {metrics.map((metric) => (
            <li key={metric}>
              {metric}{" "}
              <button
                type="button"
                className="link-button"
                aria-label={`Remove filter ${metric}`}
                onClick={() => onChange(metrics.filter((m) => m !== metric))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form aria-label="Add a metric filter" className="metric-form" onSubmit={add} noValidate>
        <input
          aria-label="Metric"
          placeholder="roc_auc"
          value={name}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => setName(event.target.value)}
        />
        <select aria-label="Operator" value={operator} onChange={(event) => setOperator(event.target.value as Operator)}>
          {OPERATORS.map((op) => (
            <option key={op}>{op}</option>
          ))}
        </select>
        <input
          aria-label="Value"
          inputMode="decimal"
          placeholder="0.8"
          size={6}
          value={value}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => setValue(event.target.value)}
        />
        <button type="submit">Add</button>
      </form>
      {problem && (
        <p id={problemId} className="error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
