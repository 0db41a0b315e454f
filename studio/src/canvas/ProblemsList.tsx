import type { Problem } from "../api/editor";
import { problemPlace } from "./problems";

interface ProblemsListProps {
  problems: Problem[];
  /** The node each problem is about, if any (its nodeId, or the node its field names). */
  nodeOf(problem: Problem): string | null;
  onSelect(nodeId: string): void;
  /** Validation itself failed (the builder unreachable): said instead of a stale list. */
  failure: string | null;
}

/** Every problem validateWorkflow reports; one about a node selects that node. */
export function ProblemsList({ problems, nodeOf, onSelect, failure }: ProblemsListProps) {
  return (
    <section className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">Problems ({problems.length})</h2>
      {failure && (
        <p className="error" role="alert">
          Could not check the design: {failure}
        </p>
      )}
      {!failure && problems.length === 0 && <p className="muted">No problems: the design can be published.</p>}
      <ul aria-label="Problems">
        {problems.map((problem, index) => {
          const node = nodeOf(problem);
          const text = `${problemPlace(node, problem)}: ${problem.message}`;
          return (
            <li key={`${index}-${problem.code}-${problem.field}`}>
              {node ? (
                <button type="button" className="link-button" onClick={() => onSelect(node)}>
                  {text}
                </button>
              ) : (
                text
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
