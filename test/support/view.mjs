// Starts the faultline view the way users do (its CLI, packages/view/dist/cli.mjs) and stops it.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const VIEW_CLI = resolve(import.meta.dirname, '../../packages/view/dist/cli.mjs');

/** Runs `faultline-view` with `args`; resolves once it prints its URL. */
export function startView(args, { env = {}, timeoutMs = 30_000 } = {}) {
  const child = spawn(process.execPath, [VIEW_CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the view did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the view exited (${code ?? signal}) while starting:\n${output}`));
    });
    const onData = () => {
      const url = /faultline view {2}(http:\/\/\S+?)\/ /.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolvePromise({
        url,
        output: () => output,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
  });
}
