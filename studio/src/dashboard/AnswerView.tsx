import { lazy, Suspense } from "react";

import type { QuestionAnswer, Reading } from "../api/insightsTypes";
import { Loading } from "../Status";
import { formatCell } from "./figures";

const AnswerChart = lazy(() => import("./AnswerChart"));

/** One answer: what was understood, its SQL, the numbers and the chart; or, when the question
 * was not understood, the nearest readings to ask instead (never numbers); or the refusal. */
export function AnswerView({ answer, onPick }: { answer: QuestionAnswer; onPick: (reading: Reading) => void }) {
  if (answer.status === "refused") {
    return (
      <p className="error" role="alert">
        Not answered: {answer.message}
      </p>
    );
  }
  if (answer.status === "not_understood" || !answer.interpretation) {
    return (
      <div>
        <p role="status">{answer.message}</p>
        {answer.alternatives.length > 0 && (
          <>
            <p id="readings-title">Ask one of these instead:</p>
            <ul className="dash-readings" aria-labelledby="readings-title">
              {answer.alternatives.map((reading) => (
                <li key={reading.text}>
                  <button type="button" onClick={() => onPick(reading)}>
                    {reading.text}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }
  const { interpretation, columns, rows } = answer;
  const chart = answer.chart ?? interpretation.chart;
  const single = rows.length === 1 && columns.length === 1 ? rows[0]?.[0] : undefined;
  return (
    <div>
      <p role="status">
        Understood as: <strong>{interpretation.text}</strong>{" "}
        <span className="muted">({Math.round(interpretation.confidence * 100)} % sure)</span>
      </p>
      {answer.sql && (
        <details>
          <summary>SQL</summary>
          <pre className="dash-sql">
            <code>{answer.sql}</code>
          </pre>
        </details>
      )}
      {rows.length === 0 ? (
        <p className="muted">No activity matches this question.</p>
      ) : (
        <>
          {single !== undefined && <p className="dash-number">{formatCell(single ?? null)}</p>}
          {(chart === "bar" || chart === "line") && (
            <Suspense fallback={<Loading what="chart" />}>
              <AnswerChart chart={chart} columns={columns} rows={rows} />
            </Suspense>
          )}
          <table>
            <caption className="muted">Answer: {interpretation.text}</caption>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c}>{formatCell(cell)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
