import { useState } from "react";
import { Link, useParams } from "react-router";

import { listVersions, type VersionSummary } from "../api/versions";
import type { WorkflowHeader } from "../api/workflows";
import { formatTime } from "../format";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { defaultPair } from "./diffFlow";
import { RestoreButton } from "./RestoreButton";
import { VersionDiff } from "./VersionDiff";
import "./versions.css";

/** A workflow's versions, newest first, and the difference between any two of them. */
export default function VersionsPage() {
  const { id = "" } = useParams();
  const { graphql } = useSignedIn();
  // Bumped after a restore, so the timeline shows the version it made.
  const [reloads, setReloads] = useState(0);
  // Kept here, not in the timeline: the reload after a restore remounts the timeline.
  const [restored, setRestored] = useState<string | null>(null);
  const loaded = useLoad(() => listVersions(graphql, id), [graphql, id, reloads]);

  if (loaded.state === "loading") return <Loading what="the versions" />;
  if (loaded.state === "failed") return <Failure message={`Could not list the versions: ${loaded.message}`} />;
  return (
    <Timeline
      key={loaded.data.versions[0]?.number ?? 0}
      workflow={loaded.data.workflow}
      versions={loaded.data.versions}
      restored={restored}
      onRestored={(message) => {
        setRestored(message);
        setReloads((count) => count + 1);
      }}
    />
  );
}

interface TimelineProps {
  workflow: WorkflowHeader;
  versions: VersionSummary[];
  restored: string | null;
  onRestored(message: string): void;
}

function Timeline({ workflow, versions, restored, onRestored }: TimelineProps) {
  const pair = defaultPair(versions.map((version) => version.number));
  const [from, setFrom] = useState(pair?.from ?? 1);
  const [to, setTo] = useState(pair?.to ?? 1);
  const base = `/workflows/${encodeURIComponent(workflow.id)}`;

  return (
    <section className="versions-page" aria-labelledby="versions-title">
      <div className="page-head">
        <h1 id="versions-title">Versions of {workflow.title || workflow.name}</h1>
        <p className="muted">
          {workflow.publishedVersion === null ? "Not published" : `Published v${workflow.publishedVersion}`}
          {" · "}
          <Link to={base}>Open the workflow</Link>
          {" · "}
          <Link to={`${base}/runs`}>Runs</Link>
        </p>
        <p role="status">{restored}</p>
      </div>
      <div className="versions-body">
        <div>
          <h2 id="timeline-title">Timeline</h2>
          <ol className="timeline" aria-labelledby="timeline-title">
            {versions.map((version) => (
              <li key={version.number}>
                <strong>v{version.number}</strong>
                {version.number === workflow.publishedVersion && <span className="badge published">published</span>}{" "}
                {version.message || <span className="muted">no message</span>}
                <div className="muted">
                  {version.createdBy}, {formatTime(version.createdAt)}
                </div>
                {version.number !== workflow.currentVersion && (
                  <RestoreButton
                    workflowId={workflow.id}
                    version={version.number}
                    onRestored={(made) => onRestored(`Restored version ${version.number} as version ${made}`)}
                  />
                )}
              </li>
            ))}
          </ol>
        </div>
        <div>
          <h2>Compare</h2>
          <div className="compare-pickers">
            <VersionPicker label="From version" value={from} versions={versions} onChange={setFrom} />
            <VersionPicker label="To version" value={to} versions={versions} onChange={setTo} />
          </div>
          {pair && <VersionDiff workflowId={workflow.id} from={from} to={to} />}
        </div>
      </div>
    </section>
  );
}

interface PickerProps {
  label: string;
  value: number;
  versions: VersionSummary[];
  onChange(value: number): void;
}

function VersionPicker({ label, value, versions, onChange }: PickerProps) {
  return (
    <label>
      {label}{" "}
      <select value={value} onChange={(event) => onChange(Number(event.target.value))}>
        {versions.map((version) => (
          <option key={version.number} value={version.number}>
            v{version.number}
            {version.message ? ` — ${version.message}` : ""}
          </option>
        ))}
      </select>
    </label>
  );
}
