// The light half of log-record support, always in the agent: a logger that queues records (bounded) until
// the logs pipeline (./logs, loaded only when exceptions go out as log records) is there, then hands them on.
// If it cannot be loaded the agent falls back to span events, and the records that waited are counted.
import type { LogsPipeline } from './logs';

export type LoadLogs = () => Promise<{
  createLogsPipeline(endpoint: string, resource: Record<string, string>): LogsPipeline;
}>;

/** Records kept while the pipeline loads. */
const MAX_WAITING = 100;

export interface DeferredLogs {
  /** Records that never went out: the queue overflowed, or the pipeline could not be loaded. */
  readonly lost: number;
  readonly logger: { emit(record: unknown): void };
  flush(): Promise<void>;
}

export function createDeferredLogs(
  load: LoadLogs,
  endpoint: string,
  resource: Record<string, string>,
  onFailure: (err: unknown) => void,
): DeferredLogs {
  let lost = 0;
  let pipeline: LogsPipeline | undefined;
  let waiting: unknown[] = [];
  const ready = load().then(
    (module) => {
      pipeline = module.createLogsPipeline(endpoint, resource);
      for (const record of waiting.splice(0)) pipeline.logger.emit(record);
    },
    (err) => {
      lost += waiting.length;
      waiting = [];
      onFailure(err);
    },
  );
  return {
    get lost() {
      return lost;
    },
    logger: {
      emit(record) {
        if (pipeline) pipeline.logger.emit(record);
        else if (waiting.length < MAX_WAITING) waiting.push(record);
        else lost++;
      },
    },
    async flush() {
      await ready;
      await pipeline?.flush();
    },
  };
}
