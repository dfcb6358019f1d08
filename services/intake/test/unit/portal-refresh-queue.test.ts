import { describe, expect, it } from "vitest";
import { RefreshQueue } from "../../src/portal/refresh-queue";

/** A refresh that finishes when the test says so, counting how often it ran. */
class Gate {
  runs = 0;
  private release: (() => void)[] = [];
  refresh(): Promise<void> {
    this.runs += 1;
    return new Promise((resolve) => this.release.push(resolve));
  }
  finish(): Promise<void> {
    for (const done of this.release.splice(0)) done();
    // Lets the queue's finally handler run.
    return new Promise((resolve) => setImmediate(resolve));
  }
}

describe("the refresh queue", () => {
  it("runs an item asked for many times while due once, and once more when asked during its run", async () => {
    const queue = new RefreshQueue<Gate>(1, () => undefined);
    const a = new Gate();
    const b = new Gate();
    queue.request(a);
    queue.request(b);
    queue.request(b);
    expect([a.runs, b.runs]).toEqual([1, 0]);
    queue.request(a);
    await a.finish();
    expect([a.runs, b.runs]).toEqual([1, 1]);
    await b.finish();
    expect(a.runs).toBe(2);
    await a.finish();
    expect([a.runs, b.runs]).toEqual([2, 1]);
  });

  it("keeps at most `concurrency` refreshes in flight, and forgets a finished item", async () => {
    const queue = new RefreshQueue<Gate>(2, () => undefined);
    const gates = [new Gate(), new Gate(), new Gate(), new Gate()];
    for (const gate of gates) queue.request(gate);
    expect(gates.map((g) => g.runs)).toEqual([1, 1, 0, 0]);
    queue.forget(gates[3]!);
    await gates[0]!.finish();
    expect(gates.map((g) => g.runs)).toEqual([1, 1, 1, 0]);
    await gates[1]!.finish();
    await gates[2]!.finish();
    expect(gates.map((g) => g.runs)).toEqual([1, 1, 1, 0]);
  });
});
