import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime of one /proc stat line (proc(5): fields 14 and 15), and its process group (field 5). */
function parseStat(stat: string): { group: number; ticks: number } {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { group: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) };
}

function readStat(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * User and system CPU time of a process group (each child here leads its own: Haraka's workers,
 * every thread of serve and its private redis-server), from /proc/PID/stat.
 */
export function cpuSeconds(group: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(`/proc/${entry}/stat`);
    if (stat === undefined) continue;
    const parsed = parseStat(stat);
    if (parsed.group === group) ticks += parsed.ticks;
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** The CPU time of a process's main thread alone (its thread id is the process id): the event loop. */
export function mainThreadCpuSeconds(pid: number): number {
  const stat = readStat(`/proc/${pid}/task/${pid}/stat`);
  return stat === undefined ? 0 : parseStat(stat).ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds of each thread of a process by its name (/proc/PID/task/TID/comm): the main thread
 * is named after the program, a scan worker's thread after its `Worker` name (Linux keeps 15
 * characters), V8's and libuv's helpers after their pools.
 */
export function cpuSecondsByThreadName(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const task of tasks) {
    const stat = readStat(`/proc/${pid}/task/${task}/stat`);
    if (stat === undefined) continue;
    const name = task === String(pid) ? 'main thread' : (readStat(`/proc/${pid}/task/${task}/comm`)?.trim() ?? '?');
    byName.set(name, (byName.get(name) ?? 0) + parseStat(stat).ticks / CLOCK_TICKS_PER_SECOND);
  }
  return byName;
}
