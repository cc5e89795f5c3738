import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** Node's SHA-256 (and HMAC-SHA-256 when given a secret) in the shape the SDK signer wants. */
class NodeSha256 {
  readonly #secret: string | Uint8Array | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }

  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#fresh();
  }
}

/** A request to sign and send by hand, for what an SDK client cannot send. */
export interface HandRequest {
  readonly endpoint: string;
  readonly service: 'ec2' | 'sns' | 'dynamodb';
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The signing time (default now). */
  readonly signingDate?: Date;
}

/** A signed request, ready for fetch. */
export interface SignedRequest {
  readonly url: string;
  readonly init: { method: string; headers: Record<string, string>; body?: string };
}

/**
 * Signs a request with the SDK's own SigV4 signer: the reference implementation the local
 * cloud's verifier must agree with.
 */
export async function signRequest(request: HandRequest): Promise<SignedRequest> {
  const url = new URL(request.endpoint);
  const signer = new SignatureV4({
    service: request.service,
    region: request.region,
    credentials: request.credentials,
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: request.method ?? 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
    request.signingDate ? { signingDate: request.signingDate } : {},
  );
  const headers = { ...signed.headers };
  delete headers.host; // fetch sets it from the URL
  return {
    url: request.endpoint,
    init: {
      method: request.method ?? 'POST',
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
  };
}

/** Signs a request (see {@link signRequest}) and sends it with fetch. */
export async function signedFetch(request: HandRequest): Promise<Response> {
  const { url, init } = await signRequest(request);
  return fetch(url, init);
}
