/**
 * Polls `condition` until it holds or `timeoutMs` passed, and returns how long that took. It never
 * throws on timeout: the caller asserts on fresh reads afterwards, so a failure shows what was there.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<number> {
  const started = Date.now();
  while (!(await condition()) && Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return Date.now() - started;
}
