// Every port the end-to-end suites use is the default shifted by FAULTLINE_TEST_PORT_SHIFT (14000 unless
// set), so two checkouts can run their suites side by side, and a demo on the defaults is left alone.
// The shifted ports stay below the ephemeral range (32768 up on Linux): a port there can be the source port
// of any outgoing connection, and was ("port 34358 (jaegerOtlpHttp) is taken" with the old 20000).
// Checkouts side by side take shifts 100 apart (14000, 14100, ...): two defaults lie 1, 1000 or 10000
// apart (collector health 13133, Jaeger health 14133), so shifts that far apart would collide.
import { assertPortShift } from '../../collector-config/stack.mjs';

/** The most any suite adds to the shift (the Kafka layout: 60, and 20 for its second gateway). */
const SPREAD = 99;

export const TEST_PORT_SHIFT = assertPortShift(
  Number(process.env.FAULTLINE_TEST_PORT_SHIFT ?? 14000),
  SPREAD,
  'FAULTLINE_TEST_PORT_SHIFT',
);
/** Where the browser suites serve their pages (8080 shifted); the next port is a second origin. */
export const PAGE_PORT = 8080 + TEST_PORT_SHIFT;
