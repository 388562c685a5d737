#!/usr/bin/env node
// `faultline sourcemaps upload ...`: see packages/cli/README.md.
import { main } from '../dist/index.mjs';

process.exitCode = await main(process.argv.slice(2));
