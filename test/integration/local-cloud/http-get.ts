import { request } from 'node:http';

/** What a plain GET returned: a response or a connection-level error code. */
export type GetResult =
  | {
      readonly status: number;
      readonly body: string;
      readonly headers: Record<string, string | string[] | undefined>;
    }
  | { readonly error: string };

/** One GET on a fresh connection (no keep-alive pool between tests and killed servers). */
export function get(url: string, timeoutMs = 1000): Promise<GetResult> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: 'timeout' });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}
