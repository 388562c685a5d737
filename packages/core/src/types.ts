/** One frame of a parsed stack, innermost first. Absent fields mean "unknown". */
export interface StackFrame {
  /** The function name as the engine printed it (`new Foo`, `Object.<anonymous>`, `foo [as bar]`). */
  function?: string;
  /** The URL or path as printed (no `file://` stripping, no percent-decoding). In an ExceptionRecord, data: and
   * blob: URLs are cut to `<data:media/type>` and `<blob:origin>`: their body is the script, or a random id. */
  file?: string;
  line?: number;
  column?: number;
  /** Engine-internal code: `native`, `<anonymous>`, `[native code]`. */
  native?: boolean;
  /** V8 `at async fn`: the frame was resumed from an await. */
  async?: boolean;
  /** Where the code ran inside an eval'd string (V8 `eval at ...`, Firefox `line N > eval`). */
  eval?: { file?: string; kind?: string; line?: number; column?: number };
  /** WebAssembly frames: `wasm-function[index]:offset`. */
  wasm?: { function_index?: number; offset?: string };
  /** `at async Promise.all (index N)`. */
  promise_index?: number;
  /** False for runtime internals, dependencies and native code; true for the app's own code. */
  inApp?: boolean;
}

/** A thrown value turned into plain data, ready for scrubbing, fingerprinting and export. */
export interface ExceptionRecord {
  /** `exception.type`: the error's class name (`TypeError`) or the thrown value's kind (`string`, `null`). */
  type: string;
  /** `exception.message`, bounded. */
  message: string;
  /** `exception.stacktrace`: the runtime's own text, with `Caused by:` sections for the cause chain. */
  stacktrace: string;
  /** Parsed frames of this error's own stack. */
  frames: StackFrame[];
  /** The cause chain (`Error.cause`, `AggregateError.errors`), flattened in the order it is printed. */
  causes: CauseRecord[];
  /** The error's own `code` (`ECONNREFUSED`, `ERR_INVALID_ARG_TYPE`), or its nearest cause's: for classification. */
  code?: string;
  /** An HTTP status the error carries (`status`, `statusCode`, `response.status`): for classification. */
  status?: number;
}

/** One link of a cause chain. */
export interface CauseRecord {
  /** How it hangs off its parent: `cause` or `errors[i]` (AggregateError). */
  relation: string;
  /** Nesting depth: 1 for a direct cause. */
  depth: number;
  type: string;
  message: string;
  frames: StackFrame[];
}
