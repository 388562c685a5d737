// @faultline/view: the issues page and its API, for embedding or tests; the CLI is faultline-view.
export type { Alert, AlertKind, Webhook } from './alerts';
export type * from './api-types';
export type { ListQuery, SpikeRule } from './issue-tracker';
export type { ViewOptions } from './options';
export { OptionsError, parseOptions } from './options';
export type { Status } from './status-rules';
export type { RunningView } from './view';
export { loadAssets, startView } from './view';
