import type { WorkflowSpec } from "../api/workflows";
import { BOX, graphPreview } from "./graphPreview";

/** A picture of a design's graph; its text alternative names the steps in order. */
export function GraphPreview({ spec, title }: { spec: WorkflowSpec; title: string }) {
  const { boxes, lines, viewBox } = graphPreview(spec);
  const steps = boxes.map((box) => box.id).join(", ");
  return (
    <svg
      className="graph-preview"
      viewBox={viewBox}
      role="img"
      aria-label={`Graph of ${title}: ${boxes.length} steps (${steps})`}
    >
      {lines.map(({ from, to }) => (
        <line
          key={`${from.id}->${to.id}`}
          x1={from.x + BOX.width}
          y1={from.y + BOX.height / 2}
          x2={to.x}
          y2={to.y + BOX.height / 2}
        />
      ))}
      {boxes.map((box) => (
        <g key={box.id} transform={`translate(${box.x} ${box.y})`}>
          <rect width={BOX.width} height={BOX.height} rx={6} />
          <text x={BOX.width / 2} y={BOX.height / 2 + 6} textAnchor="middle">
            {box.type}
          </text>
        </g>
      ))}
    </svg>
  );
}
