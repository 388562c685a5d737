export { default } from '../../scripts/vitest-unit.mjs';
