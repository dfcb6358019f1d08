import "uplot/dist/uPlot.min.css";
import { DayChart } from "./day-chart";
import { followLiveStream } from "./live-stream";
import { QueueTiles } from "./queue-tiles";
import { signInView, type TokenSource } from "./sign-in";
import type { Snapshot } from "./snapshot";

const app = document.getElementById("app")!;
const connection = document.getElementById("connection")!;

/** The day's figures run from local midnight in this zone: `?timeZone=` or the browser's. */
const timeZone =
  new URLSearchParams(location.search).get("timeZone") ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

function showBoard(token: TokenSource): void {
  const tiles = new QueueTiles();
  const chart = new DayChart();
  app.replaceChildren(tiles.element, chart.element);
  let latest: { snapshot: Snapshot; receivedAtMs: number } | undefined;
  const render = () => latest && tiles.render(latest.snapshot, Date.now() - latest.receivedAtMs);
  followLiveStream({
    url: `/v1/supervisor/stream?${new URLSearchParams({ timeZone }).toString()}`,
    token,
    snapshot(snapshot) {
      latest = { snapshot, receivedAtMs: Date.now() };
      render();
      chart.render(snapshot.day.points);
    },
    status(state, detail) {
      connection.dataset.state = state;
      const text =
        state === "live"
          ? `Live · ${timeZone}`
          : state === "connecting"
            ? "Connecting…"
            : `Reconnecting (${detail ?? "the stream ended"})…`;
      // A status region is read out on change: every frame setting the same text must not repeat it.
      if (connection.textContent !== text) connection.textContent = text;
    },
  });
  // Waits grow between frames: the tiles count on from the last frame's figures.
  setInterval(render, 1_000);
}

app.replaceChildren(signInView(showBoard));
