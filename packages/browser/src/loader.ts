// The early-capture loader (dist/faultline-loader.min.js, about 0.45 KB gzipped): the only synchronous bytes on the
// page's critical path. It queues every error and rejection from the first line on, and loads the agent
// (faultline.min.js, beside it) without blocking; the agent then takes the queue over. Same data-*
// attributes as the full script tag; `data-agent` overrides where the agent is loaded from.
interface Early {
  queue: [kind: 'error' | 'rejection', event: Event][];
  /** Events past the queue's bound, counted so the agent can report the loss. */
  dropped: number;
  off(): void;
}

(() => {
  const w = window as unknown as { __faultlineEarly?: Early; faultline?: unknown };
  if (w.__faultlineEarly) return;
  const queue: Early['queue'] = [];
  const early: Early = {
    queue,
    dropped: 0,
    off() {
      removeEventListener('error', onError, true);
      removeEventListener('unhandledrejection', onRejection);
    },
  };
  w.__faultlineEarly = early;
  const keep = (kind: 'error' | 'rejection') => (e: Event) => {
    if (queue.length < 100) queue.push([kind, e]);
    else early.dropped++;
  };
  const onError = keep('error');
  const onRejection = keep('rejection');
  addEventListener('error', onError, true);
  addEventListener('unhandledrejection', onRejection);
  // API calls made before the agent is ready are queued: faultline.push(['captureException', err]).
  w.faultline = w.faultline || [];
  const me = document.currentScript as HTMLScriptElement | null;
  const agent = document.createElement('script');
  agent.async = true;
  agent.src = me?.dataset.agent || (me ? me.src.replace(/[^/]*$/, 'faultline.min.js') : 'faultline.min.js');
  for (const [k, v] of Object.entries(me?.dataset ?? {})) if (k !== 'agent') agent.dataset[k] = v as string;
  // Without the agent nothing queued here is ever sent: say so.
  agent.onerror = () => console.warn(`faultline: could not load ${agent.src}; errors are not reported`);
  (document.head || document.documentElement).appendChild(agent);
})();
