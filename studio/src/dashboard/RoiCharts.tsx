/**
 * ROI charts: cost and value per workflow (bars) and per period (lines). recharts is only
 * imported here and in AnswerChart, loaded lazily by the Dashboard. Animations are off: a poll
 * that brings new figures redraws in place rather than replaying a growth animation. Axis
 * ticks are dollars as the tables write them ("$0.0045"): a unit after the number wrapped
 * onto a second line in the axis's width and ran into the next tick.
 */

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import { formatUsd, type KeyTotals, type PeriodPoint } from "./figures";

const SIZE = { width: 460, height: 240 };
const COST = "#b5412f";
const VALUE = "#2f8f5b";
const AXIS_WIDTH = 88; // "$1,234.56" or "$0.00225" on one line, none cut at the left

export default function RoiCharts({ byKey, byPeriod, grain }: { byKey: KeyTotals[]; byPeriod: PeriodPoint[]; grain: string }) {
  return (
    <div className="dash-charts" aria-hidden="true">
      <figure className="dash-chart">
        <figcaption>Cost and value per workflow</figcaption>
        <BarChart {...SIZE} data={byKey.slice(0, 12)} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="key" />
          <YAxis tickFormatter={formatUsd} width={AXIS_WIDTH} />
          <Tooltip />
          <Legend />
          <Bar dataKey="cost" name="cost" fill={COST} isAnimationActive={false} />
          <Bar dataKey="value" name="value" fill={VALUE} isAnimationActive={false} />
        </BarChart>
      </figure>
      <figure className="dash-chart">
        <figcaption>Cost and value per {grain}</figcaption>
        <LineChart {...SIZE} data={byPeriod} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" />
          <YAxis tickFormatter={formatUsd} width={AXIS_WIDTH} />
          <Tooltip />
          <Legend />
          <Line dataKey="cost" name="cost" stroke={COST} dot={false} isAnimationActive={false} />
          <Line dataKey="value" name="value" stroke={VALUE} dot={false} isAnimationActive={false} />
        </LineChart>
      </figure>
    </div>
  );
}
