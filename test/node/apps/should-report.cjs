// The shouldReport a framework app passes to init(), chosen by FAULTLINE_SHOULD_REPORT (nothing without it,
// as under plain node):
// - `invert`: the opposite of the default: reports what is answered with a 4xx, skips the 5xx; only when it
//   is given the framework FAULTLINE_FRAMEWORK names, and the framework's request and response objects.
// - `throws`: throws for every error; the default decision must hold.
const mode = process.env.FAULTLINE_SHOULD_REPORT;
const predicates = {
  invert: (_error, req, res, { framework, status }) =>
    framework === process.env.FAULTLINE_FRAMEWORK &&
    typeof req === 'object' &&
    req !== null &&
    typeof res === 'object' &&
    res !== null &&
    status < 500,
  throws: () => {
    throw new Error('predicate bug');
  },
};
if (mode) require(process.env.FAULTLINE_NODE_PACKAGE).init({ shouldReport: predicates[mode] });
