// dist/faultline-logs.min.js: the logs pipeline for the script tag, loaded by the agent beside itself only
// when exceptions go out as log records.
import { createLogsPipeline } from './logs';

(window as unknown as { __faultlineLogs?: unknown }).__faultlineLogs = { createLogsPipeline };
