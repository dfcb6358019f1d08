import uPlot from "uplot";
import { el } from "./dom";
import { percent } from "./format";
import type { DayPoint } from "./snapshot";

const HEIGHT = 320;

/**
 * Waiting (left axis) and service level (right axis, %) per 15-minute interval since local midnight,
 * drawn by uPlot. The canvas is an image to a screen reader: its label says the latest values.
 */
export class DayChart {
  readonly element: HTMLElement;
  private readonly plotHost = el("div", { role: "img" });
  private plot: uPlot | undefined;
  private lastKey = "";

  constructor() {
    this.element = el(
      "section",
      { class: "chart", "aria-labelledby": "day-chart-title" },
      el("h2", { id: "day-chart-title" }, "Today: waiting and service level per 15 minutes"),
      this.plotHost,
    );
    window.addEventListener("resize", () => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
  }

  render(points: readonly DayPoint[]): void {
    const key = JSON.stringify(points);
    if (key === this.lastKey) return;
    this.lastKey = key;
    const data: uPlot.AlignedData = [
      points.map((p) => p.startMs / 1000),
      points.map((p) => p.waiting),
      points.map((p) => (p.serviceLevel === null ? null : Math.round(p.serviceLevel * 100))),
    ];
    const last = points.at(-1);
    this.plotHost.setAttribute(
      "aria-label",
      last
        ? `Chart of ${points.length} intervals since midnight. Latest: ${last.waiting} waiting, service level ${percent(last.serviceLevel)}.`
        : "Chart: no intervals yet.",
    );
    if (this.plot) this.plot.setData(data);
    else this.plot = new uPlot(this.options(), data, this.plotHost);
  }

  private width(): number {
    return Math.max(320, this.plotHost.clientWidth || this.element.clientWidth - 32);
  }

  private options(): uPlot.Options {
    const axis = {
      stroke: "#c3cbe0",
      grid: { stroke: "#2a3755" },
      ticks: { stroke: "#2a3755" },
      font: "16px system-ui",
    };
    return {
      width: this.width(),
      height: HEIGHT,
      scales: {
        x: { time: true },
        waiting: { range: (_u, _min, max) => [0, Math.max(5, max)] },
        sl: { range: [0, 100] },
      },
      series: [
        {},
        { label: "Waiting", scale: "waiting", stroke: "#7cc4ff", width: 3, fill: "rgba(124,196,255,0.15)" },
        // Points too: an interval with answers between empty ones has no line to draw.
        {
          label: "Service level %",
          scale: "sl",
          stroke: "#5fe39a",
          width: 3,
          spanGaps: true,
          points: { show: true, size: 8, fill: "#5fe39a" },
        },
      ],
      axes: [
        // Two lines of 16 px labels (time, and the date under the first tick). A time label ("12:45am")
        // is about 60 px wide: with uPlot's default 50 px between ticks a whole day's 15-minute ticks
        // ran into each other, so ticks keep 90 px apart (uPlot then steps 30 min, 1 h, ...).
        { ...axis, size: 64, space: 90 },
        { ...axis, scale: "waiting", label: "Waiting" },
        { ...axis, scale: "sl", side: 1, label: "Service level %", grid: { show: false } },
      ],
    };
  }
}
