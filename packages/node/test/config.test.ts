import { describe, expect, it } from 'vitest';
import { DEFAULT_FLUSH_TIMEOUT_MS, readConfig } from '../src/config';

const defaults = { spoolDir: '/tmp/spool-default' };

describe('configuration from the environment', () => {
  it('reads the standard OpenTelemetry variables and faultline’s own', () => {
    const { config, warnings } = readConfig(
      {
        OTEL_SERVICE_NAME: 'orders',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%20def,tenant=acme',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=production,service.version=1.4.2',
        OTEL_LOG_LEVEL: 'debug',
        OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN: 'logs/dup',
        FAULTLINE_SPOOL_DIR: '/var/spool/fl',
        FAULTLINE_FLUSH_TIMEOUT_MS: '500',
      },
      defaults,
    );
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      disabled: false,
      serviceName: 'orders',
      tracesEndpoint: 'https://collector.example:4318/v1/traces',
      logsEndpoint: 'https://collector.example:4318/v1/logs',
      headers: { 'x-api-key': 'abc def', tenant: 'acme' },
      compression: 'gzip',
      resourceAttributes: { 'deployment.environment.name': 'production', 'service.version': '1.4.2' },
      logLevel: 'debug',
      spoolDir: '/var/spool/fl',
      flushTimeoutMs: 500,
      signals: { spans: true, logs: true },
    });
  });

  it('uses the defaults when nothing is set, silently', () => {
    const { config, warnings } = readConfig({}, defaults);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      serviceName: 'unknown_service:node',
      tracesEndpoint: 'http://localhost:4318/v1/traces',
      compression: 'none',
      spoolDir: defaults.spoolDir,
      flushTimeoutMs: DEFAULT_FLUSH_TIMEOUT_MS,
      signals: { spans: true, logs: false },
    });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'not a url', 'tracesEndpoint', 'http://localhost:4318/v1/traces'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://x/v1/traces', 'tracesEndpoint', 'http://localhost:4318/v1/traces'],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli', 'compression', 'none'],
    ['OTEL_LOG_LEVEL', 'loud', 'logLevel', 'warn'],
    ['FAULTLINE_FLUSH_TIMEOUT_MS', 'soon', 'flushTimeoutMs', DEFAULT_FLUSH_TIMEOUT_MS],
    ['FAULTLINE_FLUSH_TIMEOUT_MS', '-5', 'flushTimeoutMs', DEFAULT_FLUSH_TIMEOUT_MS],
    ['OTEL_SDK_DISABLED', 'maybe', 'disabled', false],
    ['FAULTLINE_REQUEST_CONTEXT', 'off', 'requestContext', false],
  ])('warns once about %s=%j, naming it, and uses a safe default', (name, value, key, expected) => {
    const { config, warnings } = readConfig({ [name]: value }, defaults);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(name);
    expect((config as unknown as Record<string, unknown>)[key]).toEqual(expected);
  });

  it('skips malformed entries of key=value lists, with a warning', () => {
    const { config, warnings } = readConfig({ OTEL_RESOURCE_ATTRIBUTES: 'a=1,broken,=x,b=%E0%A4%A' }, defaults);
    expect(config.resourceAttributes).toEqual({ a: '1', b: '%E0%A4%A' });
    expect(warnings.every((w) => w.includes('OTEL_RESOURCE_ATTRIBUTES'))).toBe(true);
    expect(warnings).toHaveLength(3);
  });

  it('FAULTLINE_REQUEST_CONTEXT is true, false or auto, auto by default', () => {
    expect(readConfig({ FAULTLINE_REQUEST_CONTEXT: 'False' }, defaults).config.requestContext).toBe(false);
    expect(readConfig({ FAULTLINE_REQUEST_CONTEXT: ' TRUE' }, defaults).config.requestContext).toBe(true);
    expect(readConfig({ FAULTLINE_REQUEST_CONTEXT: 'auto' }, defaults)).toMatchObject({
      config: { requestContext: 'auto' },
      warnings: [],
    });
    expect(readConfig({}, defaults).config.requestContext).toBe('auto');
  });

  it('OTEL_SDK_DISABLED=true disables the agent', () => {
    expect(readConfig({ OTEL_SDK_DISABLED: 'TRUE' }, defaults).config.disabled).toBe(true);
  });

  it('OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs sends log records only', () => {
    expect(readConfig({ OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN: 'logs' }, defaults).config.signals).toEqual({
      spans: false,
      logs: true,
    });
  });
});
