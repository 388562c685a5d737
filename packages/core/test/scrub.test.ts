import { describe, expect, it } from 'vitest';
import { createScrubber, normalizeError, REDACTED } from '../src/index';

const scrubber = createScrubber();

describe('scrubbing', () => {
  it.each([
    ['an email', 'contact jane.doe+shop@example.co.uk now', 'contact [REDACTED:email] now'],
    ['a Luhn-valid card number', 'card 4111 1111 1111 1111 declined', 'card [REDACTED:card] declined'],
    ['a card number with dashes', 'pan=5500-0000-0000-0004.', 'pan=[REDACTED:card].'],
    [
      'a JWT',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U used',
      'token [REDACTED:jwt] used',
    ],
    ['a bearer token', 'Authorization: Bearer abcdef0123456789xyz', 'Authorization: Bearer [REDACTED]'],
    ['password=', 'login failed password=hunter2&user=bob', 'login failed password=[REDACTED]&user=bob'],
    ['token=', 'GET /cb?token=abc123&x=1', 'GET /cb?token=[REDACTED]&x=1'],
    ['api_key: in JSON', '{"api_key": "sk_live_123", "n": 1}', '{"api_key": "[REDACTED]", "n": 1}'],
    ['secret=', 'client_secret=s3cr3t;', 'client_secret=[REDACTED];'],
    [
      'credentials in a URL',
      'connect postgres://admin:pa55@db.internal:5432/app',
      'connect postgres://[REDACTED]@db.internal:5432/app',
    ],
    ['an IPv4 address', 'from 203.0.113.42 blocked', 'from [REDACTED:ip] blocked'],
    ['an IPv6 address', 'from 2001:db8:85a3::8a2e:370:7334 blocked', 'from [REDACTED:ip] blocked'],
    ['a full IPv6 address', 'peer fe80:0:0:0:202:b3ff:fe1e:8329 gone', 'peer [REDACTED:ip] gone'],
    [
      'a PEM private key',
      'key -----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY----- end',
      'key [REDACTED:private-key] end',
    ],
  ])('replaces %s', (_kind, input, expected) => {
    expect(scrubber.text(input)).toBe(expected);
  });

  it.each([
    ['a Luhn-invalid 16-digit number', 'order 4111111111111112 shipped'],
    ['an epoch timestamp', 'at 1732435200000 ms'],
    ['a version string', 'node 20.11.1.4.2 and v1.2.3'],
    ['loopback', 'listening on 127.0.0.1:4318'],
    ['a V8 stack frame', '    at Object.<anonymous> (/srv/app/index.js:10:20)'],
    ['a Firefox frame', 'onPress@index.android.bundle:2342:3773'],
    ['a C++ wasm frame', 'at MyClass::bar(int) const (http://localhost:8001/main.wasm:wasm-function[190]:0x5aeb)'],
    ['session and fingerprint values', 'session.id=7f3a9c2e1b4d faultline.fingerprint=0123456789abcdef'],
    ['max_tokens', 'max_tokens=5 tokens: 9'],
  ])('keeps %s', (_kind, input) => {
    expect(scrubber.text(input)).toBe(input);
  });

  it('scrubs URL query values by parameter name', () => {
    expect(scrubber.url('https://shop.example/cb?code=xyz&state=abc&page=2&access_token=t0k#top')).toBe(
      'https://shop.example/cb?code=[REDACTED]&state=[REDACTED]&page=2&access_token=[REDACTED]#top',
    );
  });

  it('replaces whole values of denylisted attribute keys and scrubs the rest', () => {
    const out = scrubber.attributes({
      'http.request.header.authorization': 'Basic dXNlcjpwYXNz',
      'http.request.header.cookie': 'sid=1',
      'user.password': 'x',
      csrf_token: 'abc',
      'url.full': 'https://shop.example/?token=1&q=shoes',
      'user.email': 'ann@example.com',
      'session.id': 'a1b2c3',
      count: 3,
      tags: ['ok', 'ann@example.com'],
    });
    expect(out).toEqual({
      'http.request.header.authorization': REDACTED,
      'http.request.header.cookie': REDACTED,
      'user.password': REDACTED,
      csrf_token: REDACTED,
      'url.full': 'https://shop.example/?token=[REDACTED]&q=shoes',
      'user.email': '[REDACTED:email]',
      'session.id': 'a1b2c3',
      count: 3,
      tags: ['ok', '[REDACTED:email]'],
    });
  });

  it('applies user patterns and deny keys', () => {
    const custom = createScrubber({
      patterns: [/ORD-\d+/, 'internal.corp'],
      denyKeys: ['x-tenant-secret', /^app\.pin$/],
    });
    expect(custom.text('order ORD-991 from internal.corp')).toBe(`order ${REDACTED} from ${REDACTED}`);
    expect(custom.attributes({ 'x-tenant-secret': 'v', 'app.pin': '1234', other: 'v' })).toEqual({
      'x-tenant-secret': REDACTED,
      'app.pin': REDACTED,
      other: 'v',
    });
  });

  it('scrubs a whole record: message, stacktrace, frame URLs and causes', () => {
    const err = new Error('login failed for ann@example.com', { cause: new Error('password=hunter2 rejected') });
    const r = scrubber.record(normalizeError(err));
    expect(r.message).toBe('login failed for [REDACTED:email]');
    expect(r.stacktrace).not.toContain('ann@example.com');
    expect(r.stacktrace).not.toContain('hunter2');
    expect(r.causes[0]?.message).toBe('password=[REDACTED] rejected');
  });
});
