import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * What Linux's /proc says about CPU time and memory, for the pipeline benchmark: per process group
 * (each child of the local stack leads its own), for this process, and for the whole machine, so
 * that a figure taken while something else was running can be told apart.
 */

/** The unit of /proc's CPU times; 100 on Linux almost everywhere, but it is the system's to say. */
export const CLOCK_TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(ticks) || ticks <= 0) throw new Error(`getconf CLK_TCK answered ${ticks}`);
  return ticks;
}

const ticksToMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // Exited between readdir and read.
  }
}

// Indexes into statFields(): field n of proc(5) is at n - 3.
const PGRP = 2;
const UTIME = 11;
const STIME = 12;
const CUTIME = 13;
const CSTIME = 14;

/**
 * User + system CPU ms of every live process in the group, with what their reaped children used: a
 * child that a server starts and waits for (tsx's runner, a helper) counts as the server's.
 */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const fields = statFields(pid);
    if (!fields || Number(fields[PGRP]) !== pgid) continue;
    ticks += [UTIME, STIME, CUTIME, CSTIME].reduce((sum, i) => sum + Number(fields[i]), 0);
  }
  return ticksToMs(ticks);
}

/** User + system CPU ms of this process, all threads (the SDK's Rust core included). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Resident set size in MB (VmRSS), or undefined when the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU ms every core of the machine spent busy (not idle, not waiting for I/O), since boot. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ticksToMs([user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0));
}
