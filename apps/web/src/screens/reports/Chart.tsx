import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useEffect, useRef } from "react";

// Only the pieces the reports draw, so the reports chunk stays small.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  kind?: "bar" | "line";
}

/**
 * A chart drawn by Chart.js on a canvas. The canvas is a picture to screen readers: every chart
 * sits next to the table of the same figures, which the label points to.
 */
export function ReportChart({
  labels,
  series,
  label,
  yTitle,
  max,
}: {
  labels: string[];
  series: Series[];
  label: string;
  yTitle: string;
  max?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    const text = getComputedStyle(document.documentElement).getPropertyValue("--text-2").trim() || "#5b6573";
    const grid = getComputedStyle(document.documentElement).getPropertyValue("--border").trim() || "#dde1e6";
    const config: ChartConfiguration = {
      type: "bar",
      data: {
        labels,
        datasets: series.map((s) => ({
          type: s.kind ?? "bar",
          label: s.label,
          data: s.values,
          backgroundColor: s.color,
          borderColor: s.color,
          borderWidth: s.kind === "line" ? 2 : 0,
          pointRadius: s.kind === "line" ? 2 : 0,
          spanGaps: true,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { labels: { color: text, boxWidth: 12 } } },
        scales: {
          x: { ticks: { color: text, maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: {
            beginAtZero: true,
            max,
            ticks: { color: text },
            grid: { color: grid },
            title: { display: true, text: yTitle, color: text },
          },
        },
      },
    };
    chart.current?.destroy();
    chart.current = new Chart(canvas.current, config);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [labels, series, yTitle, max]);

  return (
    <div className="report-chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
