import { describe, expect, it } from 'vitest';
import { verifySigV4, type WireRequest } from '../../../local/cloud/auth/sigv4';

/**
 * The `get-vanilla` case of AWS's published SigV4 test suite: a request and the signature AWS
 * computes for it with the example credentials.
 */
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AT = Date.UTC(2015, 7, 30, 12, 36, 0);
const vanilla = (signature: string, extra: string[] = []): WireRequest => ({
  method: 'GET',
  url: '/',
  rawHeaders: [
    'Host',
    'example.amazonaws.com',
    'X-Amz-Date',
    '20150830T123600Z',
    'Authorization',
    `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    ...extra,
  ],
  body: Buffer.alloc(0),
});
const options = (now = AT) => ({
  service: 'service',
  region: 'us-east-1',
  maxSkewMs: 5 * 60_000,
  now,
  lookup: (key: string) => (key === 'AKIDEXAMPLE' ? { secretAccessKey: SECRET } : undefined),
});
const GOOD = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';

describe('SigV4 verification', () => {
  it("accepts AWS's own get-vanilla example", () => {
    expect(verifySigV4(vanilla(GOOD), options())).toMatchObject({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
  });

  it('refuses the example with one hex digit changed', () => {
    const bad = `${GOOD.slice(0, -1)}0`;
    expect(verifySigV4(vanilla(bad), options())).toEqual({
      ok: false,
      failure: { kind: 'mismatch', accessKeyId: 'AKIDEXAMPLE' },
    });
  });

  it('ignores headers that were not signed', () => {
    expect(verifySigV4(vanilla(GOOD, ['User-Agent', 'anything']), options()).ok).toBe(true);
  });

  it('refuses the example six minutes later as expired', () => {
    const out = verifySigV4(vanilla(GOOD), options(AT + 6 * 60_000));
    expect(out).toMatchObject({ ok: false, failure: { kind: 'expired' } });
  });

  it('tells a missing header, a malformed one and an unknown key apart', () => {
    expect(verifySigV4({ ...vanilla(GOOD), rawHeaders: [] }, options())).toEqual({
      ok: false,
      failure: { kind: 'missing' },
    });
    const malformed = { ...vanilla(GOOD), rawHeaders: ['Authorization', 'AWS4-HMAC-SHA256 Credential=x'] };
    expect(verifySigV4(malformed, options())).toMatchObject({ ok: false, failure: { kind: 'incomplete' } });
    expect(verifySigV4(vanilla(GOOD), { ...options(), lookup: () => undefined })).toMatchObject({
      ok: false,
      failure: { kind: 'unknown-key', accessKeyId: 'AKIDEXAMPLE' },
    });
  });
});
