// Configuration rules (the page behaviour itself is tested in Chromium: test/browser/).
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config';

beforeAll(() => {
  (globalThis as unknown as { location: { href: string } }).location = { href: 'https://shop.example/cart' };
});

describe('browser configuration', () => {
  it('takes what it is given', () => {
    const warnings: string[] = [];
    const config = resolveConfig(
      {
        endpoint: 'https://collector.example/v1/traces',
        serviceName: 'shop-web',
        release: '1.4.2',
        environment: 'production',
      },
      (m) => warnings.push(m),
    );
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      endpoint: 'https://collector.example/v1/traces',
      serviceName: 'shop-web',
      release: '1.4.2',
      environment: 'production',
      captureResourceErrors: false,
    });
  });

  it('warns once per bad setting and falls back to a safe default', () => {
    const warnings: string[] = [];
    const config = resolveConfig({ endpoint: 'http://[not a url', serviceName: '  ' }, (m) => warnings.push(m));
    expect(config.endpoint).toBe('/v1/traces');
    expect(config.serviceName).toBe('unknown_service:browser');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/endpoint/);
    expect(warnings[1]).toMatch(/service name/);
  });

  it('says so when no endpoint is given', () => {
    const warnings: string[] = [];
    resolveConfig({ serviceName: 'x' }, (m) => warnings.push(m));
    expect(warnings).toEqual(['faultline: no endpoint given; sending to /v1/traces on this origin']);
  });

  it('keeps valid rate-limit settings and warns about the others', () => {
    const warnings: string[] = [];
    const config = resolveConfig(
      { endpoint: '/v1/traces', rateLimit: { burst: 100, refillPerSecond: -1, dedupeWindowMs: 'soon' as never } },
      (m) => warnings.push(m),
    );
    expect(config.rateLimit).toEqual({ burst: 100 });
    expect(warnings).toEqual([
      'faultline: rateLimit.dedupeWindowMs "soon" is not a positive number; using the default',
      'faultline: rateLimit.refillPerSecond -1 is not a positive number; using the default',
    ]);
  });

  it('takes the exception signal and derives the logs endpoint', () => {
    const warnings: string[] = [];
    const config = resolveConfig(
      { endpoint: 'https://collector.example/v1/traces', exceptionSignal: 'Logs/Dup' },
      (m) => warnings.push(m),
    );
    expect(config.exceptionSignal).toBe('logs/dup');
    expect(config.logsEndpoint).toBe('https://collector.example/v1/logs');
    expect(warnings).toEqual([]);
  });

  it('warns about an unknown exception signal or logs endpoint and keeps span events', () => {
    const warnings: string[] = [];
    const config = resolveConfig(
      { endpoint: 'https://collector.example/v1/traces', exceptionSignal: 'log', logsEndpoint: 'http://[bad' },
      (m) => warnings.push(m),
    );
    expect(config.exceptionSignal).toBeUndefined();
    expect(config.logsEndpoint).toBe('https://collector.example/v1/logs');
    expect(warnings).toEqual([
      'faultline: exceptionSignal "log" is not one of "logs", "logs/dup"; using span events',
      'faultline: logsEndpoint "http://[bad" is not a URL; deriving it from the endpoint',
    ]);
  });
});
