// `node --import @faultline/node/register app.mjs`: the same preload as --require, loaded synchronously.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./register.cjs');
