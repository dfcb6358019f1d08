import "uplot/dist/uPlot.min.css";
import { DayChart } from "./day-chart";
import { followLiveStream } from "./live-stream";
import { QueueTiles } from "./queue-tiles";
import { signInView, type TokenSource } from "./sign-in";
import type { Snapshot } from "./snapshot";

const app = document.getElementById("app")!;
const connection = document.getElementById("connection")!;

/**
 * The site's own time zone and thresholds (its admin's settings) unless the page's URL overrides them
 * (`?timeZone=`, `?answerThresholdS=`, `?shortAbandonS=`): the stream validates them.
 */
const page = new URLSearchParams(location.search);
const overrides = new URLSearchParams(
  ["timeZone", "answerThresholdS", "shortAbandonS"].flatMap((name) => {
    const value = page.get(name);
    return value === null ? [] : [[name, value]];
  }),
);

function showBoard(token: TokenSource): void {
  const tiles = new QueueTiles();
  const chart = new DayChart();
  app.replaceChildren(tiles.element, chart.element);
  let latest: { snapshot: Snapshot; receivedAtMs: number } | undefined;
  let liveText = "Live";
  const render = () => latest && tiles.render(latest.snapshot, Date.now() - latest.receivedAtMs);
  followLiveStream({
    url: `/v1/supervisor/stream${overrides.size > 0 ? `?${overrides.toString()}` : ""}`,
    token,
    snapshot(snapshot) {
      latest = { snapshot, receivedAtMs: Date.now() };
      const { timeZone, answerThresholdS } = snapshot.settings;
      liveText = `Live · ${timeZone} · service level within ${answerThresholdS} s`;
      if (connection.dataset.state === "live" && connection.textContent !== liveText) connection.textContent = liveText;
      render();
      chart.render(snapshot.day.points);
    },
    status(state, detail) {
      connection.dataset.state = state;
      const text =
        state === "live"
          ? liveText
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
