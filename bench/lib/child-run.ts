import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { log, type BenchContext } from './context.js';
import { PeakRss } from './proc-mem.js';
import { ROOT } from './workspace.js';

export interface ChildCommand { script: string; execArgv: string[]; how: string }

/**
 * A benchmark child as plain `node` over an esbuild bundle (esbuild ships with tsx), so that its RSS is the
 * measured code's and Node's, not tsx's loader's; `external` packages (native modules) stay outside.
 */
export async function bundleChild(ctx: BenchContext, entry: string, name: string, external: string[] = []): Promise<ChildCommand> {
  try {
    const esbuild = await import('esbuild');
    const outfile = ctx.ws.file(`${name}.mjs`);
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, external, logLevel: 'warning' });
    return { script: outfile, execArgv: [], how: 'node (esbuild bundle)' };
  } catch (err) {
    log(`esbuild unavailable (${err instanceof Error ? err.message : String(err)}): the child runs under tsx`);
    return { script: entry, execArgv: ['--import', 'tsx'], how: 'node --import tsx' };
  }
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null): void => reject(new Error(`the benchmark child exited (${code ?? signal}) without answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

/**
 * Runs one measured pass in a child: waits for its `ready`, resets its peak RSS, says `go`, and returns its
 * `done` message with the peak RSS (VmHWM) of the pass.
 */
export async function runMeasuredChild<T extends object>(cmd: ChildCommand, args: string[]): Promise<T & { peakMiB: number; exact: boolean }> {
  const child = fork(cmd.script, args, { cwd: ROOT, execArgv: cmd.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid === undefined) throw new Error('the benchmark child did not start');
  const exited = once(child, 'exit');
  let answered = false;
  try {
    const ready = await nextMessage<{ type: string }>(child);
    if (ready.type !== 'ready') throw new Error(`child sent ${JSON.stringify(ready)}`);
    const peak = new PeakRss(child.pid, 20);
    const answer = nextMessage<{ type: string; message?: string } & T>(child);
    child.send('go');
    const msg = await answer;
    answered = true;
    const mem = peak.stop();
    if (msg.type !== 'done') throw new Error(`child failed: ${msg.message ?? JSON.stringify(msg)}`);
    return { ...msg, peakMiB: mem.peakMiB, exact: mem.exact };
  } finally {
    if (!answered && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await exited;
  }
}
