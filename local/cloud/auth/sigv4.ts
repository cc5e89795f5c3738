import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS Signature Version 4, checked the way the services check it: the server rebuilds the
 * canonical request from what arrived on the wire, derives the signing key from the secret it
 * holds for the access key id, and compares signatures. Only the `Authorization` header form
 * is accepted (what the SDKs, the AWS CLI and boto3 send for EC2, SNS and DynamoDB).
 *
 *   canonical request = METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n hex(sha256(body))
 *   string to sign    = AWS4-HMAC-SHA256 \n X-Amz-Date \n date/region/service/aws4_request \n
 *                       hex(sha256(canonical request))
 *   signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
 */

/** What arrived on the wire. */
export interface WireRequest {
  readonly method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  readonly url: string;
  /** `IncomingMessage.rawHeaders`: names and values alternating, as received. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** Why a request was not authenticated; each service turns these into its own error answer. */
export type SigV4Failure =
  | { readonly kind: 'missing' }
  | { readonly kind: 'incomplete'; readonly message: string }
  | { readonly kind: 'unknown-key'; readonly accessKeyId: string }
  | { readonly kind: 'scope'; readonly message: string }
  | { readonly kind: 'expired'; readonly message: string }
  | { readonly kind: 'mismatch'; readonly accessKeyId: string };

export type SigV4Result<T> =
  | { readonly ok: true; readonly accessKeyId: string; readonly credential: T }
  | { readonly ok: false; readonly failure: SigV4Failure };

/** How one service checks signatures. */
export interface SigV4Options<T> {
  /** The signing name in the credential scope: `ec2`, `sns`, `dynamodb`. */
  readonly service: string;
  readonly region: string;
  /** The credential behind an access key id, or undefined when there is none. */
  readonly lookup: (accessKeyId: string) => (T & { readonly secretAccessKey: string }) | undefined;
  /** Clock skew tolerated either way (AWS: 5 minutes; EC2 documents 15). */
  readonly maxSkewMs: number;
  readonly now?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^(\d{8})T\d{6}Z$/;

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-_.~` is escaped. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Non-S3 services encode each path segment twice: once for the URL, once for the signature. */
function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => uriEncode(uriEncode(decode(segment))))
    .join('/');
}

function canonicalQuery(query: string): string {
  const pairs: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = uriEncode(decode(eq === -1 ? part : part.slice(0, eq)));
    const value = uriEncode(decode(eq === -1 ? '' : part.slice(eq + 1)));
    pairs.push([key, value]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Header values by lowercase name; repeated headers keep every value, in order. */
function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    out.set(name, [...(out.get(name) ?? []), rawHeaders[i + 1] as string]);
  }
  return out;
}

const trimValue = (value: string): string => value.trim().replace(/\s+/g, ' ');

/** The fields of `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses the header; a string is the reason it is malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | string {
  const space = header.indexOf(' ');
  const algorithm = space === -1 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) return `Unsupported authorization type: ${algorithm}`;
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const missing = [
    ...(credential ? [] : ['Credential']),
    ...(signedHeaders ? [] : ['SignedHeaders']),
    ...(signature ? [] : ['Signature']),
  ];
  if (missing.length > 0) {
    return `Authorization header requires ${missing.map((m) => `'${m}'`).join(', ')} parameter(s). Authorization=${header}`;
  }
  const scope = (credential as string).split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    return `Credential should be scoped to a valid region and service: ${credential}`;
  }
  const [accessKeyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: (signedHeaders as string).split(';'),
    signature: (signature as string).toLowerCase(),
  };
}

/** `20261203T163422Z` */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** The request time: `X-Amz-Date`, else an HTTP `Date` header turned into the same form. */
function requestDate(headers: Map<string, string[]>): string | undefined {
  const amz = headers.get('x-amz-date')?.[0]?.trim();
  if (amz) return amz;
  const http = headers.get('date')?.[0];
  if (!http) return undefined;
  const ms = Date.parse(http);
  return Number.isNaN(ms) ? undefined : amzDate(ms);
}

/** The canonical request and string to sign, exposed so tests can show what was compared. */
export function stringToSign(
  req: WireRequest,
  auth: ParsedAuthorization,
  date: string,
): { canonicalRequest: string; stringToSign: string } {
  const headers = headerValues(req.rawHeaders);
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query = q === -1 ? '' : req.url.slice(q + 1);
  const canonicalHeaders = auth.signedHeaders
    .map((name) => `${name}:${(headers.get(name) ?? []).map(trimValue).join(',')}\n`)
    .join('');
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/${auth.terminator}`;
  return {
    canonicalRequest,
    stringToSign: [ALGORITHM, date, scope, sha256Hex(canonicalRequest)].join('\n'),
  };
}

/** The HMAC chain: secret -> date -> region -> service -> `aws4_request`. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/**
 * Verifies a request's SigV4 `Authorization` header. Checks, in the order the services report
 * them: a header at all, its form, the access key, the credential scope (date, region,
 * service), the request time against `maxSkewMs`, then the signature itself.
 */
export function verifySigV4<T>(req: WireRequest, options: SigV4Options<T>): SigV4Result<T> {
  const headers = headerValues(req.rawHeaders);
  const header = headers.get('authorization')?.[0];
  if (!header) return { ok: false, failure: { kind: 'missing' } };
  const auth = parseAuthorization(header);
  if (typeof auth === 'string') return { ok: false, failure: { kind: 'incomplete', message: auth } };
  if (!auth.signedHeaders.includes('host')) {
    return {
      ok: false,
      failure: { kind: 'incomplete', message: `'Host' must be a 'SignedHeader' in the AWS Authorization.` },
    };
  }
  const date = requestDate(headers);
  if (!date || !AMZ_DATE.test(date)) {
    return {
      ok: false,
      failure: {
        kind: 'incomplete',
        message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
      },
    };
  }
  const credential = options.lookup(auth.accessKeyId);
  if (!credential) return { ok: false, failure: { kind: 'unknown-key', accessKeyId: auth.accessKeyId } };

  const scopeProblem =
    auth.terminator !== 'aws4_request'
      ? `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'.`
      : auth.date !== date.slice(0, 8)
        ? `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${date.slice(0, 8)}', from '${date}'.`
        : auth.region !== options.region
          ? `Credential should be scoped to a valid region, not '${auth.region}'.`
          : auth.service !== options.service
            ? `Credential should be scoped to correct service: '${options.service}'.`
            : undefined;
  if (scopeProblem) return { ok: false, failure: { kind: 'scope', message: scopeProblem } };

  const now = options.now ?? Date.now();
  const at = parseAmzDate(date) as number;
  if (Math.abs(now - at) > options.maxSkewMs) {
    const minutes = Math.round(options.maxSkewMs / 60_000);
    const message =
      at < now
        ? `Signature expired: ${date} is now earlier than ${amzDate(now - options.maxSkewMs)} (${amzDate(now)} - ${minutes} min.)`
        : `Signature not yet current: ${date} is still later than ${amzDate(now + options.maxSkewMs)} (${amzDate(now)} + ${minutes} min.)`;
    return { ok: false, failure: { kind: 'expired', message } };
  }

  const { stringToSign: toSign } = stringToSign(req, auth, date);
  const expected = createHmac(
    'sha256',
    signingKey(credential.secretAccessKey, auth.date, auth.region, auth.service),
  )
    .update(toSign)
    .digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, failure: { kind: 'mismatch', accessKeyId: auth.accessKeyId } };
  }
  return { ok: true, accessKeyId: auth.accessKeyId, credential };
}
