// The `faultline` command: `faultline sourcemaps upload [options] <build directory>`.
import { parseArgs } from 'node:util';
import { uploadSourcemaps } from './upload';

const USAGE = `usage: faultline sourcemaps upload --service <name> --release <version> --url-prefix <url>
                                 [--store <dir>] <build directory>

Puts each bundle's source map (and an index of its original functions) where faultline's collector reads
them: the store directory (--store, or FAULTLINE_SOURCEMAP_STORE), keyed by service, release and the URL
the bundle is served from (--url-prefix + its path in the build directory), and by debug ID when the
bundle carries one.`;

/** Runs the command; returns the exit code (0 done, 1 nothing uploaded or a failure, 2 usage). */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group !== 'sourcemaps' || command !== 'upload') {
    console.error(USAGE);
    return 2;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (err) {
    console.error(`faultline: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const store = values.store ?? env.FAULTLINE_SOURCEMAP_STORE;
  const missing = [
    ...(['service', 'release', 'url-prefix'] as const).filter((k) => !values[k]).map((k) => `--${k}`),
    ...(store ? [] : ['--store (or FAULTLINE_SOURCEMAP_STORE)']),
    ...(positionals.length === 1 ? [] : ['one build directory']),
  ];
  if (missing.length > 0) {
    console.error(`faultline: missing ${missing.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  try {
    const result = uploadSourcemaps({
      service: values.service as string,
      release: values.release as string,
      urlPrefix: values['url-prefix'] as string,
      store: store as string,
      dir: positionals[0] as string,
    });
    for (const u of result.uploaded)
      console.log(
        `uploaded ${u.file} → ${u.url} (${u.functions} functions${u.debugId ? `, debug ID ${u.debugId}` : ''})`,
      );
    for (const s of result.skipped) console.log(`skipped  ${s.file}: ${s.reason}`);
    console.log(`${result.uploaded.length} source maps for ${values.service} ${values.release} in ${store}`);
    return result.uploaded.length > 0 ? 0 : 1;
  } catch (err) {
    console.error(`faultline: ${(err as Error).message}`);
    return 1;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      release: { type: 'string' },
      'url-prefix': { type: 'string' },
      store: { type: 'string' },
    },
  });
}
