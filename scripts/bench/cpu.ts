import { groupCpuMs, machineBusyMs, ownCpuMs } from './proc';

/** A process whose CPU time the benchmark accounts for. */
export interface CpuSource {
  name: string;
  cpuMs(): number;
}

export function processGroup(name: string, pgid: number): CpuSource {
  return { name, cpuMs: () => groupCpuMs(pgid) };
}

/** This process: it also hosts the stand-ins, the CloudFront shim, the outbox and the no-op worker. */
export const benchProcess: CpuSource = { name: 'bench process', cpuMs: ownCpuMs };

export interface CpuReading {
  at: number;
  bySource: Map<string, number>;
  machineBusyMs: number;
}

export function readCpu(sources: CpuSource[]): CpuReading {
  return {
    at: performance.now(),
    bySource: new Map(sources.map((s) => [s.name, s.cpuMs()])),
    machineBusyMs: machineBusyMs(),
  };
}

export interface CpuSpent {
  wallMs: number;
  /** CPU ms of each source, in the order they were read. */
  bySource: { name: string; ms: number }[];
  /** All sources together. */
  totalMs: number;
  /** What the rest of the machine used meanwhile: load that the figures did not cause. */
  otherMs: number;
}

export function cpuSpent(before: CpuReading, after: CpuReading): CpuSpent {
  const bySource = [...after.bySource].map(([name, ms]) => ({ name, ms: ms - (before.bySource.get(name) ?? 0) }));
  const totalMs = bySource.reduce((sum, s) => sum + s.ms, 0);
  const machineMs = after.machineBusyMs - before.machineBusyMs;
  return { wallMs: after.at - before.at, bySource, totalMs, otherMs: Math.max(0, machineMs - totalMs) };
}
