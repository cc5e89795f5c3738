import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { apiView } from '../../../ec2-model/views';
import { ec2AuthAnswer, type LocalAuth } from '../auth/index';
import type { FaultSettingsInput } from '../faults';
import { parseForm } from '../util/form';
import { closeNow, listen, readBody, readRawBody, send, sendJson, trackSockets } from '../util/http';
import { type Ec2Deps, errorXml, handleEc2Call } from './dispatch';

/** A running EC2 emulator. */
export interface Ec2Server {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

function dataPathSummary(deps: Ec2Deps) {
  const world = deps.model.latest;
  const api = apiView(world);
  const dp = deps.dataPath;
  return {
    settled: dp.settled(),
    publicIps: [...world.addresses.values()].map((a) => ({
      publicIp: a.publicIp,
      api: api.holderOfPublicIp(a.publicIp),
      dataPath: dp.holderOfPublicIp(a.publicIp),
    })),
    routes: [...world.routeTables.values()].flatMap((t) =>
      t.routes.map((r) => ({
        routeTableId: t.id,
        destination: r.destination,
        api: api.routeTarget(t.id, r.destination),
        dataPath: dp.routeTarget(t.id, r.destination),
      })),
    ),
    subnets: [...world.subnets.keys()].map((subnetId) => ({
      subnetId,
      api: api.routeTableOfSubnet(subnetId),
      dataPath: dp.routeTableOfSubnet(subnetId),
    })),
  };
}

/** `/_local/...` routes: inspection and fault control, never part of the EC2 API. */
async function handleLocal(
  deps: Ec2Deps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const route = `${req.method} ${path}`;
  switch (route) {
    case 'GET /_local/state':
      return sendJson(res, 200, deps.model.snapshot());
    case 'GET /_local/audit':
      return sendJson(res, 200, deps.audit.entries());
    case 'DELETE /_local/audit':
      deps.audit.clear();
      return sendJson(res, 200, []);
    case 'GET /_local/faults':
      return sendJson(res, 200, deps.faults.get());
    case 'DELETE /_local/faults':
      return sendJson(res, 200, deps.faults.reset());
    case 'GET /_local/data-path':
      return sendJson(res, 200, dataPathSummary(deps));
    case 'POST /_local/faults': {
      let partial: unknown;
      try {
        partial = JSON.parse(await readBody(req));
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      try {
        return sendJson(res, 200, deps.faults.set(partial as FaultSettingsInput));
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message });
      }
    }
    default:
      return sendJson(res, 404, { error: `no local route ${route}` });
  }
}

/**
 * Starts the EC2 Query emulator on the loopback interface. Requests may be
 * form-encoded POSTs (what the SDK sends) or GETs with a query string; every one must carry
 * a valid SigV4 signature from a key of `auth`, and the caller is the key's principal.
 */
export async function startEc2Server(
  deps: Ec2Deps,
  auth: LocalAuth,
  host: string,
  port: number,
): Promise<Ec2Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const handle = async () => {
      if (url.pathname.startsWith('/_local/')) return handleLocal(deps, req, res, url.pathname);
      const body = await readRawBody(req);
      const signed = auth.authenticate(
        { method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders, body },
        'ec2',
      );
      if (!signed.ok) {
        const answer = ec2AuthAnswer(signed.failure);
        const requestId = deps.ids.requestId();
        send(res, answer.status, errorXml(answer.code, answer.message, requestId), 'text/xml;charset=UTF-8', {
          'x-amzn-requestid': requestId,
          server: 'AmazonEC2',
        });
        return;
      }
      const form = parseForm(url.search.slice(1));
      for (const [key, value] of parseForm(body.toString('utf8'))) form.set(key, value);
      const caller = signed.credential.principal.name;
      await auth.prepareEc2(caller, form);
      const reply = await handleEc2Call(deps, form, caller);
      send(res, reply.status, reply.body, 'text/xml;charset=UTF-8', {
        'x-amzn-requestid': reply.requestId,
        server: 'AmazonEC2',
      });
    };
    handle().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });
  const sockets = trackSockets(server);
  const bound = await listen(server, host, port);
  return {
    endpoint: `http://${host}:${bound}`,
    port: bound,
    close: () => closeNow(server, sockets),
  };
}
