import { describe, expect, it } from 'vitest';
import { OptionsError, parseOptions } from '../src/options';

describe('view options', () => {
  it('has defaults that need nothing set', () => {
    const o = parseOptions([], { HOME: '/home/u' });
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 8090,
      jaeger: 'http://127.0.0.1:16686',
      pollIntervalMs: 5000,
      backfillMs: 14 * 86_400_000,
      webhooks: [],
      spike: { events: 100, minutes: 5 },
    });
    expect(o.dataDir).toBe('/home/u/.local/share/faultline/view');
  });

  it('reads FAULTLINE_VIEW_* and lets flags win', () => {
    const o = parseOptions(
      ['--port', '9000', '--webhook=http://a.example/h', '--slack-webhook', 'https://hooks.slack.com/x'],
      {
        FAULTLINE_VIEW_PORT: '8000',
        FAULTLINE_VIEW_JAEGER: 'http://jaeger:16686/',
        FAULTLINE_VIEW_POLL_INTERVAL: '750ms',
        FAULTLINE_VIEW_SPIKE: '10/2',
      },
    );
    expect(o).toMatchObject({
      port: 9000,
      jaeger: 'http://jaeger:16686',
      pollIntervalMs: 750,
      spike: { events: 10, minutes: 2 },
    });
    expect(o.webhooks).toEqual([
      { url: 'http://a.example/h', format: 'json' },
      { url: 'https://hooks.slack.com/x', format: 'slack' },
    ]);
  });

  it('leaves trace links out with an empty --jaeger-ui, given as a flag or as the variable', () => {
    expect(parseOptions(['--jaeger-ui='], {}).jaegerUi).toBe('');
    expect(parseOptions([], { FAULTLINE_VIEW_JAEGER_UI: '' }).jaegerUi).toBe('');
    expect(parseOptions([], {}).jaegerUi).toBe('http://127.0.0.1:16686');
  });

  it('refuses to bind beyond loopback without a token', () => {
    expect(() => parseOptions(['--host', '0.0.0.0'], {})).toThrow(/--token/);
    expect(parseOptions(['--host', '0.0.0.0', '--token', 'a-long-enough-token'], {}).token).toBe('a-long-enough-token');
  });

  it('names the bad setting', () => {
    for (const [argv, message] of [
      [['--port', 'x'], /--port/],
      [['--jaeger', 'ftp://x'], /--jaeger/],
      [['--poll-interval', '5'], /--poll-interval/],
      [['--poll-interval', '10ms'], /at least 200ms/],
      [['--spike', '10/90'], /--spike/],
      [['--token', 'short'], /token/],
      [['--nope'], /unknown argument/],
      [['--port'], /needs a value/],
    ] as [string[], RegExp][])
      expect(() => parseOptions(argv, {}), argv.join(' ')).toThrow(message);
    expect(() => parseOptions(['--port', 'x'], {})).toThrow(OptionsError);
  });
});
