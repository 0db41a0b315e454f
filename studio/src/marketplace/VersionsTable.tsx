import { useState } from "react";
import { useNavigate } from "react-router";

import type { VersionSummary } from "../api/marketplaceTypes";
import { formatTime } from "../format";
import { compareLink, MAX_COMPARED, MIN_COMPARED } from "./compare";

interface Props {
  model: string;
  versions: VersionSummary[];
  shown: number | null;
  onShow(version: number): void;
}

/** The model's versions; tick 2–5 to compare them, or pick one to see its details below. */
export function VersionsTable({ model, versions, shown, onShow }: Props) {
  const navigate = useNavigate();
  const [picked, setPicked] = useState<number[]>([]);
  const count = picked.length;
  const canCompare = count >= MIN_COMPARED && count <= MAX_COMPARED;
  const toggle = (version: number) =>
    setPicked((now) => (now.includes(version) ? now.filter((v) => v !== version) : [...now, version]));

  return (
    <section aria-labelledby="versions-title">
      <div className="page-head">
        <h2 id="versions-title">Versions</h2>
        <div className="actions">
          <span className="muted" id="compare-hint">
            {canCompare ? `${count} picked` : `Pick ${MIN_COMPARED} to ${MAX_COMPARED} versions to compare`}
          </span>
          <button
            type="button"
            disabled={!canCompare}
            aria-describedby="compare-hint"
            onClick={() => navigate(compareLink([...picked].sort((a, b) => a - b).map((version) => ({ name: model, version }))))}
          >
            Compare
          </button>
        </div>
      </div>
      <table>
        <thead>
          <tr>
            <th>
              <span className="visually-hidden">Compare</span>
            </th>
            <th>Version</th>
            <th>Aliases</th>
            <th>Status</th>
            <th>Validation</th>
            <th>Benchmark</th>
            <th>Created</th>
            <th>
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((row) => (
            <tr key={row.version} aria-current={row.version === shown ? "true" : undefined}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Pick v${row.version} to compare`}
                  checked={picked.includes(row.version)}
                  onChange={() => toggle(row.version)}
                />
              </td>
              <td>v{row.version}</td>
              <td>{row.aliases.join(", ") || "—"}</td>
              <td>{row.status}</td>
              <td>{row.validation_status}</td>
              <td>{row.benchmark_status}</td>
              <td>{formatTime(row.created_at)}</td>
              <td>
                {/* A toggle whose name stays put: pressed is the version shown below. */}
                <button
                  type="button"
                  className="secondary"
                  aria-pressed={row.version === shown}
                  onClick={() => onShow(row.version)}
                >
                  Show v{row.version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
