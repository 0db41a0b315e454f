import type { CheckResult } from "../api/marketplaceTypes";

/** A validation report: each check, passed or failed, and what it found. */
export function ValidationReport({ result }: { result: CheckResult | null }) {
  const checks = result?.report.checks ?? [];
  return (
    <section aria-labelledby="validation-title" className="figure">
      <h3 id="validation-title">Validation: {result?.status ?? "not run"}</h3>
      {checks.length > 0 && (
        <table>
          <caption className="visually-hidden">Validation checks</caption>
          <thead>
            <tr>
              <th>Check</th>
              <th>Result</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((check) => (
              <tr key={check.name}>
                <td>{check.name}</td>
                <td className={check.passed ? "state-success" : "state-failed"}>{check.passed ? "passed" : "failed"}</td>
                <td>{check.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
