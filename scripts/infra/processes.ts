import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Guards one temp dir: once the parent is gone, signals the processes registered for the dir,
 * SIGKILLs them (and their process groups) after a grace period, and removes the dir. The parent
 * holds the write end of the reaper's stdin; the kernel closes it when the parent exits for any
 * reason (clean exit, Ctrl-C, SIGKILL, crash) and `read` sees the end of input.
 * Each stdin line is "<pid> <signal>" (track it) or "<pid> DONE" (it has exited: forget it, so a
 * reused pid is never signalled). Arguments: $1 dir, $2 grace seconds.
 */
const REAPER_SCRIPT = `
dir=$1 grace=$2 entries=''
while read -r pid sig; do
  case $sig in
    DONE) keep=''; for e in $entries; do [ "\${e%%:*}" = "$pid" ] || keep="$keep $e"; done; entries=$keep ;;
    *) entries="$entries $pid:$sig" ;;
  esac
done
waiting=''
for e in $entries; do
  pid=\${e%%:*} sig=\${e#*:}
  if [ "$sig" != KILL ] && kill -"$sig" "$pid" 2>/dev/null; then waiting="$waiting $pid"; fi
done
i=0
while [ -n "$waiting" ] && [ "$i" -lt "$((grace * 5))" ]; do
  sleep 0.2; i=$((i + 1)); alive=''
  for pid in $waiting; do if kill -0 "$pid" 2>/dev/null; then alive="$alive $pid"; fi; done
  waiting=$alive
done
for e in $entries; do kill -KILL -- "-\${e%%:*}" 2>/dev/null; kill -KILL "\${e%%:*}" 2>/dev/null; done
# A process killed mid-write may still add a file while rm runs: try again until the dir is gone.
for i in 1 2 3 4 5 6 7 8 9 10; do rm -rf -- "$dir" 2>/dev/null; [ -e "$dir" ] || break; sleep 0.3; done
`;

/** Reapers stay referenced for as long as their dir lives: their stdin pipe is the lifeline. */
const liveReapers = new Set<ChildProcess>();

export type ReaperSignal = "KILL" | "TERM" | "INT" | "QUIT";

/** A private temp dir whose tracked processes die, and which is removed, when this process dies. */
export interface TempDir {
  readonly path: string;
  /** If this process dies, the reaper sends `signal` to pid, then SIGKILL to it and its group. */
  track: (pid: number, signal?: ReaperSignal) => void;
  /** pid has exited: forget it. */
  untrack: (pid: number) => void;
  /** Dismisses the reaper and removes the dir now (stop the processes first). Idempotent. */
  remove: () => void;
}

export interface TempDirOptions {
  /** Parent folder, default os.tmpdir(). */
  base?: string;
  /** Seconds the reaper waits between a tracked signal and SIGKILL (default 5). */
  graceSeconds?: number;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** A fresh private temp dir such as /tmp/handoff-redis-AbC123, guarded by a reaper. */
export function makeTempDir(name: string, options: TempDirOptions = {}): TempDir {
  const path = mkdtempSync(join(options.base ?? tmpdir(), `handoff-${name}-`));
  const reaper = spawn(
    "/bin/sh",
    ["-c", REAPER_SCRIPT, "handoff-reaper", path, String(options.graceSeconds ?? 5)],
    // Own process group: a Ctrl-C in the terminal reaches only the parent, which stops cleanly.
    { detached: true, stdio: ["pipe", "ignore", "ignore"] },
  );
  reaper.on("error", () => undefined);
  reaper.stdin?.on("error", () => undefined);
  // Neither the reaper nor its pipe may keep this process alive.
  reaper.unref();
  (reaper.stdin as Socket | null)?.unref();
  liveReapers.add(reaper);
  let removed = false;
  return {
    path,
    track: (pid, signal = "KILL") => {
      if (!removed) reaper.stdin?.write(`${pid} ${signal}\n`);
    },
    untrack: (pid) => {
      if (!removed) reaper.stdin?.write(`${pid} DONE\n`);
    },
    remove: () => {
      if (removed) return;
      removed = true;
      if (reaper.pid !== undefined) killQuietly(-reaper.pid, "SIGKILL");
      liveReapers.delete(reaper);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** The last `lines` lines of a file, or '' when it cannot be read. */
export function tailFile(path: string, lines = 40): string {
  try {
    const text = readFileSync(path, "utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

export interface SpawnManagedOptions {
  /** Short name used in log file names and error messages ("redis", "kafka"). */
  name: string;
  command: string;
  args: readonly string[];
  /** The process's own temp dir: removed by stop() and, if this process dies, by its reaper. */
  dir: TempDir;
  /** Where stdout and stderr go; defaults to `<dir>/<name>.log`. */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Signal stop() sends first (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** How long stop() waits after stopSignal before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /** Signal the reaper sends first if this process dies (default KILL: no grace). */
  reaperSignal?: ReaperSignal;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly dir: string;
  readonly logFile: string;
  /** Set once the process has exited. */
  readonly exit: ExitInfo | undefined;
  /** The last lines of the log file ('' once it is gone). */
  logTail: (lines?: number) => string;
  /** stopSignal, up to stopTimeoutMs, then SIGKILL to its group; removes the dir. Idempotent. */
  stop: () => Promise<void>;
  /**
   * Ends the process as stop() does but keeps the dir, so a new process can start on its data (a
   * server restart). `signal` defaults to stopSignal; SIGKILL is a crash.
   */
  halt: (signal?: NodeJS.Signals) => Promise<ExitInfo>;
}

function describeExit(exit: ExitInfo): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}

/**
 * Spawns a long-running server with stdout/stderr appended to a log file, in its own process
 * group, tracked by its dir's reaper so it dies even if this process never calls stop().
 */
export function spawnManaged(options: SpawnManagedOptions): ManagedProcess {
  const dir = options.dir;
  const logFile = options.logFile ?? join(dir.path, `${options.name}.log`);
  const logFd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd ?? dir.path,
      env: options.env ?? process.env,
      stdio: ["ignore", logFd, logFd],
      detached: true,
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    dir.remove();
    throw new Error(`could not start ${options.name} (${options.command})`);
  }
  dir.track(pid, options.reaperSignal ?? "KILL");
  child.unref();

  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      dir.untrack(pid);
      resolve(exit);
    });
  });

  // A referenced timer, so the event loop (and this process) stays up until the child is gone.
  const waitExit = async (ms: number): Promise<boolean> => {
    if (exit !== undefined) return true;
    const timer = new AbortController();
    try {
      return await Promise.race([exited.then(() => true), sleep(ms, false, { signal: timer.signal })]);
    } finally {
      timer.abort();
    }
  };

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (exit === undefined) {
      killQuietly(pid, signal);
      if (!(await waitExit(options.stopTimeoutMs ?? 10_000))) {
        killQuietly(-pid, "SIGKILL");
        await waitExit(5_000);
      }
    }
    killQuietly(-pid, "SIGKILL"); // whatever the leader left behind in its group
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await end(options.stopSignal ?? "SIGTERM");
      dir.remove();
    })();
    return stopping;
  };

  const halt = async (signal?: NodeJS.Signals): Promise<ExitInfo> => {
    await end(signal ?? options.stopSignal ?? "SIGTERM");
    return exit ?? { code: null, signal: null };
  };

  return {
    name: options.name,
    pid,
    dir: dir.path,
    logFile,
    get exit() {
      return exit;
    },
    logTail: (lines?: number) => tailFile(logFile, lines),
    stop,
    halt,
  };
}

export interface WaitForOptions {
  /** What is awaited, for the error message ("redis on 127.0.0.1:6380 to answer PING"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once if this process exits, and quote its log in errors. */
  process?: ManagedProcess;
}

function logSection(managed: ManagedProcess): string {
  const tail = managed.logTail();
  return tail === "" ? "" : `\n--- last lines of ${managed.logFile} ---\n${tail}`;
}

/**
 * Polls `check` until it returns something other than undefined/false. A throw counts as "not
 * yet" (the last one is quoted on timeout). Errors name what was awaited and end with the log tail.
 */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, options: WaitForOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const managed = options.process;
  let lastError: unknown;
  for (;;) {
    if (managed?.exit !== undefined) {
      throw new Error(
        `${managed.name} exited (${describeExit(managed.exit)}) before ${options.what}` + logSection(managed),
      );
    }
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}${last}` +
          (managed ? logSection(managed) : ""),
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
  /** Track the command with this dir's reaper while it runs (setup steps such as initdb). */
  dir?: TempDir;
}

/**
 * Runs a short command to completion and returns its stdout; on failure throws one error that
 * names the command and quotes the end of its output. With `dir`, the command gets its own
 * process group, so the reaper also ends what it started (initdb runs postgres in bootstrap mode).
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.dir !== undefined,
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    const pid = child.pid;
    if (pid !== undefined) options.dir?.track(pid, "KILL");
    const output: Buffer[] = []; // stdout and stderr interleaved, for errors
    const stdout: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      output.push(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killQuietly(options.dir ? -pid : pid, "SIGKILL");
    }, options.timeoutMs ?? 120_000);
    const fail = (how: string): void => {
      const tail = Buffer.concat(output).toString("utf8").trimEnd().split("\n").slice(-30).join("\n");
      reject(new Error(`${command} ${args.join(" ")} ${how}${tail ? `\n${tail}` : ""}`));
    };
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(`could not start (${error.message})`);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) options.dir?.untrack(pid);
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString("utf8"));
      } else {
        fail(
          timedOut
            ? `timed out after ${options.timeoutMs ?? 120_000} ms`
            : `failed (${signal ?? `exit code ${String(code)}`})`,
        );
      }
    });
  });
}

/**
 * A server restart: `halt` ends it (keeping its dir), `whileDown` runs (what a test checks while the
 * server is gone), then `start` brings the next one up, also when `whileDown` threw (which then throws).
 */
export async function restartManaged(
  halt: () => Promise<unknown>,
  whileDown: (() => Promise<void>) | undefined,
  start: () => Promise<void>,
): Promise<void> {
  await halt();
  try {
    await whileDown?.();
  } finally {
    await start();
  }
}
