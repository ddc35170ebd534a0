import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '../lib/logger.js';

/** What a FieldSense process sends its launcher once it serves. */
export interface ReadyMessage { type: 'ready'; port?: number; endpoint?: string }

/** One process the launcher runs and keeps running. */
export interface ChildSpec {
  /** Name used in the logs: `API`, `workers`, `object store`. */
  name: string;
  file: string;
  execArgv: string[];
  cwd: string;
  /** Its environment, asked again at each (re)start: a restart keeps the port the first start was given. */
  env: () => Record<string, string>;
}

/**
 * How a child that dies is started again: after 1 s, doubling up to 30 s; the delay goes back to 1 s once
 * the child had run for a minute. A child that dies before it is ready counts as a failed start; after 10
 * failed starts in a row (≈ 3.5 min of trying) the configuration or the machine is wrong in a way that
 * restarting cannot fix, and the launcher gives up (so that whatever runs it sees the failure) instead of
 * looping for ever. A child that was ready and dies is always restarted.
 */
export const RESTART_POLICY = { initialDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000, maxFailedStarts: 10 } as const;
export type RestartPolicy = { [K in keyof typeof RESTART_POLICY]: number };

interface Supervised {
  spec: ChildSpec;
  proc?: ChildProcess;
  readyAt?: number;
  delayMs: number;
  failedStarts: number;
  restarts: number;
  timer?: NodeJS.Timeout;
  first: { resolve: (m: ReadyMessage) => void; reject: (e: Error) => void; settled: boolean };
}

/** Runs FieldSense's processes: starts them, restarts the ones that die (with backoff), stops them in order. */
export class Supervisor {
  private readonly children = new Map<string, Supervised>();
  private stopping = false;

  constructor(
    private readonly log: Logger,
    private readonly opts: { killAfterMs: number; onGiveUp: (name: string) => void; policy?: RestartPolicy },
  ) {}

  private get policy(): RestartPolicy {
    return this.opts.policy ?? RESTART_POLICY;
  }

  /** Starts a child; resolves once it is ready, rejects when it exits before (the first start is not retried). */
  start(spec: ChildSpec): Promise<ReadyMessage> {
    if (this.stopping) return Promise.reject(new Error(`not starting ${spec.name}: stopping`));
    return new Promise((resolve, reject) => {
      const c: Supervised = { spec, delayMs: this.policy.initialDelayMs, failedStarts: 0, restarts: 0, first: { resolve, reject, settled: false } };
      this.children.set(spec.name, c);
      this.spawn(c);
    });
  }

  /** The pid of a child's current process. */
  pid(name: string): number | undefined {
    return this.children.get(name)?.proc?.pid;
  }

  /** Stops the children group by group (the processes of a group at once), each with SIGTERM then, past the deadline, SIGKILL. */
  async stop(groups: string[][]): Promise<void> {
    this.stopping = true;
    for (const c of this.children.values()) clearTimeout(c.timer);
    for (const group of groups) {
      await Promise.all(group.map((name) => this.stopOne(this.children.get(name))));
    }
  }

  private spawn(c: Supervised): void {
    const { spec } = c;
    const proc = fork(spec.file, [], {
      cwd: spec.cwd,
      execArgv: spec.execArgv,
      env: { ...process.env, ...spec.env() },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    c.proc = proc;
    c.readyAt = undefined;
    this.log.info({ child: spec.name, childPid: proc.pid, restarts: c.restarts }, `${spec.name} started (pid ${proc.pid})`);
    proc.on('message', (m: Partial<ReadyMessage>) => {
      if (m.type !== 'ready' || c.readyAt !== undefined || c.proc !== proc) return;
      c.readyAt = Date.now();
      c.failedStarts = 0;
      if (!c.first.settled) {
        c.first.settled = true;
        c.first.resolve(m as ReadyMessage);
      } else {
        this.log.info({ child: spec.name, childPid: proc.pid, restarts: c.restarts }, `${spec.name} ready again`);
      }
    });
    proc.on('error', (err) => this.log.error({ child: spec.name, err }, `${spec.name}: process error`));
    proc.on('exit', (code, signal) => this.exited(c, proc, code, signal));
  }

  private exited(c: Supervised, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || c.proc !== proc) return;
    const { name } = c.spec;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!c.first.settled) {
      c.first.settled = true;
      c.first.reject(new Error(`${name} exited with ${how} while starting`));
      return;
    }
    const ranMs = c.readyAt === undefined ? 0 : Date.now() - c.readyAt;
    if (c.readyAt === undefined) c.failedStarts++;
    if (ranMs >= this.policy.stableAfterMs) c.delayMs = this.policy.initialDelayMs;
    if (c.failedStarts >= this.policy.maxFailedStarts) {
      this.log.fatal({ child: name, childPid: proc.pid, code, signal, failedStarts: c.failedStarts },
        `${name} exited (${how}) before it was ready ${c.failedStarts} times in a row: giving up; FieldSense stops`);
      this.opts.onGiveUp(name);
      return;
    }
    const delayMs = c.delayMs;
    c.delayMs = Math.min(delayMs * 2, this.policy.maxDelayMs);
    this.log.error({ child: name, childPid: proc.pid, code, signal, restartInS: delayMs / 1000, restarts: c.restarts },
      `${name} exited (${how}); restarting it in ${delayMs / 1000} s`);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (this.stopping) return;
      c.restarts++;
      this.spawn(c);
    }, delayMs);
  }

  private async stopOne(c: Supervised | undefined): Promise<void> {
    const proc = c?.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.log.warn({ child: c.spec.name, childPid: proc.pid }, `${c.spec.name} did not stop in time: killing it`);
      proc.kill('SIGKILL');
    }, this.opts.killAfterMs);
    await exited;
    clearTimeout(timer);
  }
}
