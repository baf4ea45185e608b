/*
 * Two small SVG charts for the retention report: retention rates as lines, lost and saved MRR as
 * grouped bars. Each is a picture to screen readers; the table beside it has the same figures.
 */

const W = 640;
const H = 200;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };
const plotW = W - PAD.left - PAD.right;
const plotH = H - PAD.top - PAD.bottom;

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
}

function Legend({ series }: { series: ChartSeries[] }) {
  return (
    <ul className="retention-legend">
      {series.map((s) => (
        <li key={s.label}>
          <span className="retention-swatch" style={{ background: s.color }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function Axes({
  labels,
  max,
  format,
  xOf,
}: {
  labels: string[];
  max: number;
  format: (v: number) => string;
  xOf: (i: number) => number;
}) {
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const every = Math.ceil(labels.length / 8);
  return (
    <g className="retention-axes">
      {ticks.map((t) => {
        const y = PAD.top + plotH - (t / max) * plotH;
        return (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end">
              {format(t)}
            </text>
          </g>
        );
      })}
      {labels.map((label, i) =>
        i % every === 0 ? (
          <text key={label} x={xOf(i)} y={H - 8} textAnchor="middle">
            {label}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** Rates (0…max) over months as lines with a dot per month; a month without a rate leaves a gap. */
export function RateChart({
  labels,
  series,
  label,
}: {
  labels: string[];
  series: ChartSeries[];
  label: string;
}) {
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const x = (i: number) => PAD.left + (labels.length > 1 ? (i * plotW) / (labels.length - 1) : plotW / 2);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  return (
    <figure className="retention-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <Axes labels={labels} max={max} format={(v) => `${Math.round(v * 100)}%`} xOf={x} />
        {series.map((s) => {
          const segments: string[] = [];
          let path = "";
          s.values.forEach((v, i) => {
            if (v === null) {
              if (path) segments.push(path);
              path = "";
              return;
            }
            path += `${path ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
          });
          if (path) segments.push(path);
          return (
            <g key={s.label} stroke={s.color} fill={s.color}>
              {segments.map((d) => (
                <path key={d} d={d} fill="none" strokeWidth={2} />
              ))}
              {s.values.map((v, i) =>
                v === null ? null : <circle key={labels[i]} cx={x(i)} cy={y(v)} r={3} />,
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

/** Amounts per month as grouped bars. */
export function AmountChart({
  labels,
  series,
  label,
  format,
}: {
  labels: string[];
  series: ChartSeries[];
  label: string;
  format: (v: number) => string;
}) {
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const slot = plotW / Math.max(1, labels.length);
  const bar = Math.max(2, (slot * 0.8) / series.length);
  return (
    <figure className="retention-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <Axes labels={labels} max={max} format={format} xOf={(i) => PAD.left + (i + 0.5) * slot} />
        {labels.map((month, i) =>
          series.map((s, j) => {
            const v = s.values[i] ?? 0;
            const h = (v / max) * plotH;
            return (
              <rect
                key={`${month}-${s.label}`}
                x={PAD.left + i * slot + slot * 0.1 + j * bar}
                y={PAD.top + plotH - h}
                width={bar - 1}
                height={h}
                fill={s.color}
              />
            );
          }),
        )}
      </svg>
      <Legend series={series} />
    </figure>
  );
}
