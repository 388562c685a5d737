// @faultline/cli: the `faultline` command (bin/faultline.mjs) and what it runs, for build scripts.
export { main } from './cli';
export type { FunctionRange } from './functions';
export { functionRanges } from './functions';
export { debugIdPath, fileKey, indexPath, mapPath, segment } from './store';
export type { Uploaded, UploadOptions, UploadResult } from './upload';
export { uploadSourcemaps } from './upload';
