/**
 * ROI charts: cost and value per workflow (bars) and per period (lines). recharts is only
 * imported here and in AnswerChart, loaded lazily by the Dashboard. Animations are off: a poll
 * that brings new figures redraws in place rather than replaying a growth animation.
 */

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import type { KeyTotals, PeriodPoint } from "./figures";

const SIZE = { width: 460, height: 240 };
const COST = "#b5412f";
const VALUE = "#2f8f5b";

export default function RoiCharts({ byKey, byPeriod }: { byKey: KeyTotals[]; byPeriod: PeriodPoint[] }) {
  return (
    <div className="dash-charts" aria-hidden="true">
      <div>
        <BarChart {...SIZE} data={byKey.slice(0, 12)} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="key" />
          <YAxis unit=" $" width={70} />
          <Tooltip />
          <Legend />
          <Bar dataKey="cost" name="cost" fill={COST} isAnimationActive={false} />
          <Bar dataKey="value" name="value" fill={VALUE} isAnimationActive={false} />
        </BarChart>
      </div>
      <div>
        <LineChart {...SIZE} data={byPeriod} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" />
          <YAxis unit=" $" width={70} />
          <Tooltip />
          <Legend />
          <Line dataKey="cost" name="cost" stroke={COST} dot={false} isAnimationActive={false} />
          <Line dataKey="value" name="value" stroke={VALUE} dot={false} isAnimationActive={false} />
        </LineChart>
      </div>
    </div>
  );
}
