// faultline-view: the issues page over a Jaeger. `faultline-view --help` lists the settings.
import { OptionsError, parseOptions, SETTINGS } from './options';
import { startView } from './view';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  const lines = SETTINGS.map(([name, env, what]) => `  --${name.padEnd(14)} ${env.padEnd(30)} ${what}`);
  process.stdout.write(`usage: faultline-view [--flag value]...\n\n${lines.join('\n')}\n`);
  process.exit(0);
}

try {
  const options = parseOptions(argv);
  const view = await startView(options);
  process.stdout.write(`faultline view  ${view.url}/  (reading ${options.jaeger}, state in ${options.dataDir})\n`);
  const stop = async () => {
    await view.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  const message = err instanceof OptionsError ? err.message : ((err as Error)?.message ?? String(err));
  process.stderr.write(`faultline-view: ${message}\n`);
  process.exit(2);
}
