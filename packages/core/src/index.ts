export { parseStack } from './parse-stack';
export type { CauseRecord, ExceptionRecord, StackFrame } from './types';
