// Every port the end-to-end suites use is the default shifted by FAULTLINE_TEST_PORT_SHIFT (20000 unless
// set), so two checkouts can run their suites side by side, and a demo on the defaults is left alone.
// Checkouts side by side take shifts 100 apart (20000, 20100, ...): two defaults lie 1, 1000 or 10000
// apart (collector health 13133, Jaeger health 14133), so shifts that far apart would collide.
const shift = Number(process.env.FAULTLINE_TEST_PORT_SHIFT ?? 20000);
if (!Number.isInteger(shift) || shift < 1000 || shift > 40000)
  throw new Error(
    `FAULTLINE_TEST_PORT_SHIFT must be an integer from 1000 to 40000, not ${process.env.FAULTLINE_TEST_PORT_SHIFT}`,
  );

export const TEST_PORT_SHIFT = shift;
/** Where the browser suites serve their pages (8080 shifted); the next port is a second origin. */
export const PAGE_PORT = 8080 + shift;
