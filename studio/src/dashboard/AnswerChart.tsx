/** The chart an answer suggests: a line over time, bars across a dimension. Loaded lazily with
 * recharts; the answer's table beside it holds the same numbers for anyone not seeing it. */

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import type { Cell, Chart } from "../api/insightsTypes";
import { answerSeries } from "./figures";

const SIZE = { width: 560, height: 260 };
const COLOURS = ["#3b6fd8", "#e09a2d", "#2f8f5b", "#b5412f"];

export default function AnswerChart({ chart, columns, rows }: { chart: Chart; columns: string[]; rows: Cell[][] }) {
  const { label, series, points } = answerSeries(columns, rows);
  if (series.length === 0) return null;
  const Chart = chart === "line" ? LineChart : BarChart;
  return (
    <div aria-hidden="true">
      <Chart {...SIZE} data={points} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey={label} />
        <YAxis width={70} />
        <Tooltip />
        <Legend />
        {series.map((name, i) =>
          chart === "line" ? (
            <Line key={name} dataKey={name} stroke={COLOURS[i % COLOURS.length]} dot={false} isAnimationActive={false} />
          ) : (
            <Bar key={name} dataKey={name} fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
          ),
        )}
      </Chart>
    </div>
  );
}
