// The light half of log-record support, always in the agent: a logger that queues records (bounded) until
// the logs pipeline (./logs, loaded only when exceptions go out as log records) is there, then hands them on.
// If it cannot be loaded the agent falls back to span events, and the records that waited are counted.
import type { LogsPipeline } from './logs';

export type LoadLogs = () => Promise<{
  createLogsPipeline(endpoint: string, resource: Record<string, string>): LogsPipeline;
}>;

/** Records kept while the pipeline loads. */
const MAX_WAITING = 100;

export class DeferredLogs {
  /** Records that never went out: the queue overflowed, or the pipeline could not be loaded. */
  lost = 0;
  private pipeline: LogsPipeline | undefined;
  private waiting: unknown[] = [];
  private readonly ready: Promise<void>;

  readonly logger = {
    emit: (record: unknown) => {
      if (this.pipeline) this.pipeline.logger.emit(record);
      else if (this.waiting.length < MAX_WAITING) this.waiting.push(record);
      else this.lost++;
    },
  };

  constructor(load: LoadLogs, endpoint: string, resource: Record<string, string>, onFailure: (err: unknown) => void) {
    this.ready = load().then(
      (module) => {
        this.pipeline = module.createLogsPipeline(endpoint, resource);
        for (const record of this.waiting.splice(0)) this.pipeline.logger.emit(record);
      },
      (err) => {
        this.lost += this.waiting.length;
        this.waiting = [];
        onFailure(err);
      },
    );
  }

  async flush(): Promise<void> {
    await this.ready;
    await this.pipeline?.flush();
  }
}
