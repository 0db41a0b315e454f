/**
 * A benchmark's figures per concurrency level: latency percentiles as grouped bars, throughput
 * as bars, each with the numbers in a table (the charts' text alternative). recharts is only
 * imported here, so only the model page's chunk carries it.
 */

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

import type { BenchmarkLevel } from "../api/marketplaceTypes";
import { formatNumber } from "./compare";

const SIZE = { width: 420, height: 240 };
const LATENCY = [
  { key: "p50_ms", name: "p50", fill: "#3b6fd8" },
  { key: "p95_ms", name: "p95", fill: "#e09a2d" },
  { key: "p99_ms", name: "p99", fill: "#b5412f" },
] as const;

export function BenchmarkFigures({ levels, mode }: { levels: BenchmarkLevel[]; mode?: string }) {
  const data = levels.map((level) => ({ ...level, label: `×${level.concurrency}` }));
  return (
    <div className="figure-row">
      <figure className="figure">
        <figcaption>
          Latency (ms) per concurrency{mode ? `, ${mode}` : ""}
        </figcaption>
        <div aria-hidden="true">
          <BarChart {...SIZE} data={data} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis unit=" ms" width={70} />
            <Tooltip />
            <Legend />
            {LATENCY.map((bar) => (
              <Bar key={bar.key} dataKey={bar.key} name={bar.name} fill={bar.fill} isAnimationActive={false} />
            ))}
          </BarChart>
        </div>
        <table>
          <caption className="visually-hidden">Latency in milliseconds per concurrency</caption>
          <thead>
            <tr>
              <th>Concurrency</th>
              <th>p50 (ms)</th>
              <th>p95 (ms)</th>
              <th>p99 (ms)</th>
            </tr>
          </thead>
          <tbody>
            {levels.map((level) => (
              <tr key={level.concurrency}>
                <td>{level.concurrency}</td>
                <td>{formatNumber(level.p50_ms)}</td>
                <td>{formatNumber(level.p95_ms)}</td>
                <td>{formatNumber(level.p99_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
      <figure className="figure">
        <figcaption>Throughput (requests per second) per concurrency</figcaption>
        <div aria-hidden="true">
          <BarChart {...SIZE} data={data} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis unit=" rps" width={70} />
            <Tooltip />
            <Bar dataKey="throughput_rps" name="throughput" fill="#2f8f5b" isAnimationActive={false} />
          </BarChart>
        </div>
        <table>
          <caption className="visually-hidden">Throughput per concurrency</caption>
          <thead>
            <tr>
              <th>Concurrency</th>
              <th>Requests per second</th>
            </tr>
          </thead>
          <tbody>
            {levels.map((level) => (
              <tr key={level.concurrency}>
                <td>{level.concurrency}</td>
                <td>{formatNumber(level.throughput_rps)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
    </div>
  );
}
