/**
 * The three probe handlers kubelet runs (pkg/kubelet/prober, pkg/probe):
 * httpGet (200–399 is success), tcpSocket (a connection is success) and exec
 * (exit 0 is success; here a local process with the container's environment).
 * Failure messages follow Go's error texts so events read like kubelet's.
 */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, HTTPGetAction, Probe } from 'kubernetes-types/core/v1.js';
import { joinHostPort } from '../k8s/ip.js';
import { KUBE_MAJOR, KUBE_MINOR } from '../version.js';
import type { ProbeOutcome } from './probe.js';

export interface ProbeTarget {
  podIP: string;
  container: Container;
  /** The container's environment (exec probes). */
  env: Record<string, string>;
}

/** Probe outputs kubelet keeps are capped at 10 KiB. */
const MAX_OUTPUT = 10 * 1024;

/** A port given by number or by the name of a container port. */
export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') throw new Error('port not specified');
  if (/^\d+$/.test(port)) return Number(port);
  const found = (container.ports ?? []).find((p) => p.name === port);
  if (!found) throw new Error(`couldn't find port: ${port} in ${JSON.stringify({ name: container.name })}`);
  return found.containerPort;
}

/** Go's net error text for a failed dial. */
function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const addr = `dial tcp ${joinHostPort(host, port)}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `${addr}: connect: network is unreachable`;
    case 'EADDRNOTAVAIL':
      return `${addr}: connect: cannot assign requested address`;
    case 'ECONNRESET':
      return `read tcp ${joinHostPort(host, port)}: read: connection reset by peer`;
    default:
      return `${addr}: ${err.message}`;
  }
}

/** Runs `probe` against `target`; rejects only for probe errors (unresolvable port, no handler). */
export function runProbe(probe: Probe, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, target.container);
    return tcpProbe(probe.tcpSocket.host || target.podIP, port, timeoutMs);
  }
  if (probe.exec) return execProbe(probe.exec.command ?? [], target.env, timeoutMs);
  if (probe.grpc) return Promise.reject(new Error('grpc probes are not supported by svcnet'));
  return Promise.reject(new Error('missing probe handler'));
}

export function httpProbe(
  action: HTTPGetAction,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const port = resolvePort(action.port, target.container);
  const host = action.host || target.podIP;
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  let path = action.path ?? '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const url = `${scheme}://${joinHostPort(host, port)}${path}`;
  const headers: Record<string, string> = {
    'User-Agent': `kube-probe/${KUBE_MAJOR}.${KUBE_MINOR}`,
    Accept: '*/*',
  };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const doRequest = scheme === 'https' ? httpsRequest : httpRequest;
    const req = doRequest(
      url,
      { method: 'GET', headers, agent: false, ...(scheme === 'https' ? { rejectUnauthorized: false } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < MAX_OUTPUT) body += d;
        });
        res.on('error', () => {});
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) finish({ result: 'success', output: body.slice(0, MAX_OUTPUT) });
          else finish({ result: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({
        result: 'failure',
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({ result: 'failure', output: `Get "${url}": ${dialError(host, port, err)}` }),
    );
    req.end();
  });
}

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const sock = connect({ host, port });
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const timer = setTimeout(
      () => finish({ result: 'failure', output: `dial tcp ${joinHostPort(host, port)}: i/o timeout` }),
      timeoutMs,
    );
    sock.on('connect', () => finish({ result: 'success', output: '' }));
    sock.on('error', (err: NodeJS.ErrnoException) =>
      finish({ result: 'failure', output: dialError(host, port, err) }),
    );
  });
}

/** Runs the command as a local process; the container's env over the agent's PATH/HOME. */
export function execProbe(
  command: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const [file, ...args] = command;
  if (!file) return Promise.reject(new Error('exec probe without a command'));
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME']) {
    const v = process.env[k];
    if (v !== undefined) base[k] = v;
  }
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...base, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT * 4 },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.slice(0, MAX_OUTPUT);
        if (!err) return resolve({ result: 'success', output });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
        if (e.code === 'ENOENT') {
          return resolve({
            result: 'failure',
            output: `exec: "${file}": executable file not found in $PATH`,
          });
        }
        if (e.killed && e.signal === 'SIGKILL') {
          return resolve({ result: 'failure', output: `command "${command.join(' ')}" timed out` });
        }
        resolve({ result: 'failure', output });
      },
    );
  });
}
