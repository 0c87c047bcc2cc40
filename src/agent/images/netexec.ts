/**
 * `svcnet/netexec` and agnhost's `netexec` subcommand, in process: the HTTP
 * and UDP test server of Kubernetes' e2e tests (test/images/agnhost/netexec),
 * with its endpoints, outputs and log lines, bound to the pod IP. Additions:
 * `/env` (the container environment) and a readiness toggle
 * (`/fail-readiness`, `/pass-readiness`, seen by `/readyz`). Differences: the
 * UDP server listens on the HTTP port number unless `--udp-port` says
 * otherwise (agnhost's default is 8081); SCTP and `/upload` are not served.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, isIPv6 } from 'node:net';
import { goQuote } from '../../k8s/gofmt.js';
import { joinHostPort } from '../../k8s/ip.js';
import { formatGoDuration, maybeGoDuration } from '../../lib/goduration.js';
import { exitWith, goLogTime, InProcessContainer } from './inprocess.js';
import { IMAGE_PATH } from './reference.js';
import type { ContainerSpec, RunningContainer } from './types.js';

export interface NetexecFlags {
  httpPort: number;
  /** -1 disables the UDP server. */
  udpPort: number;
  sctpPort: number;
  /** Seconds to keep serving after SIGTERM. */
  delayShutdown: number;
  httpOverride: string;
  udpListenAddresses: string;
  tlsCertFile: string;
  tlsKeyFile: string;
}

const INT_FLAGS = {
  'http-port': 'httpPort',
  'udp-port': 'udpPort',
  'sctp-port': 'sctpPort',
  'delay-shutdown': 'delayShutdown',
} as const;
const STRING_FLAGS = {
  'http-override': 'httpOverride',
  'udp-listen-addresses': 'udpListenAddresses',
  'tls-cert-file': 'tlsCertFile',
  'tls-private-key-file': 'tlsKeyFile',
} as const;

/** netexec's flags, parsed as pflag does (`--flag=v` or `--flag v`); an error reads like cobra's. */
export function parseNetexecFlags(argv: string[]): NetexecFlags | { error: string } {
  const f: NetexecFlags = {
    httpPort: 8080,
    udpPort: Number.NaN,
    sctpPort: -1,
    delayShutdown: 0,
    httpOverride: '',
    udpListenAddresses: '',
    tlsCertFile: '',
    tlsKeyFile: '',
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const takeValue = (): string | undefined => {
      if (eq >= 0) return a.slice(eq + 1);
      if (i + 1 < argv.length) return argv[++i];
      return undefined;
    };
    if (name in INT_FLAGS) {
      const v = takeValue();
      if (v === undefined) return { error: `flag needs an argument: --${name}` };
      if (!/^[-+]?\d+$/.test(v)) {
        return {
          error: `invalid argument ${goQuote(v)} for "--${name}" flag: strconv.ParseInt: parsing ${goQuote(v)}: invalid syntax`,
        };
      }
      f[INT_FLAGS[name as keyof typeof INT_FLAGS]] = Number(v);
    } else if (name in STRING_FLAGS) {
      const v = takeValue();
      if (v === undefined) return { error: `flag needs an argument: --${name}` };
      f[STRING_FLAGS[name as keyof typeof STRING_FLAGS]] = v;
    } else {
      return { error: `unknown flag: --${name}` };
    }
  }
  if (positional.length > 0) return { error: `accepts at most 0 arg(s), received ${positional.length}` };
  if (Number.isNaN(f.udpPort)) f.udpPort = f.httpPort;
  return f;
}

/** Go's time.Now().String() in UTC, with the monotonic reading since the container started. */
function goNow(startedNs: bigint): string {
  const d = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = String(d.getUTCMilliseconds() * 1e6)
    .padStart(9, '0')
    .replace(/0+$/, '');
  const mono = Number(process.hrtime.bigint() - startedNs) / 1e9;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac ? `.${frac}` : ''} +0000 UTC m=+${mono.toFixed(9)}`
  );
}

/** encoding/json's output: HTML-significant characters escaped. */
export function goJSON(v: unknown): string {
  return JSON.stringify(v).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Go's http.CanonicalHeaderKey. */
function canonicalHeader(k: string): string {
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

const TEXT = 'text/plain; charset=utf-8';

function reply(res: http.ServerResponse, status: number, body: string, type = TEXT): void {
  if (body !== '') res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(body);
}

/** Go's http.Error. */
function httpError(res: http.ServerResponse, status: number, msg: string): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  reply(res, status, `${msg}\n`);
}

class Netexec {
  private readonly ctr = new InProcessContainer();
  private readonly started = process.hrtime.bigint();
  /** agnhost's serverReady: the UDP server is up. */
  private udpReady = false;
  /** Our readiness toggle. */
  private readinessFailed = false;

  constructor(
    private readonly spec: ContainerSpec,
    private readonly flags: NetexecFlags,
  ) {}

  private log(msg: string): void {
    this.spec.stderr(`${goLogTime()} ${msg.endsWith('\n') ? msg : `${msg}\n`}`);
  }

  private env(): Record<string, string> {
    return { PATH: IMAGE_PATH, ...this.spec.env };
  }

  async start(): Promise<RunningContainer> {
    const { spec, flags, ctr } = this;
    ctr.onTerm = () => this.onTerm();
    let server: http.Server;
    if (flags.tlsCertFile) {
      try {
        server = https.createServer({
          cert: readFileSync(flags.tlsCertFile),
          key: readFileSync(flags.tlsKeyFile || flags.tlsCertFile),
        });
      } catch (err) {
        return this.fail(String((err as Error).message));
      }
    } else {
      server = http.createServer();
    }
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.route(req, res));
    try {
      if (flags.udpPort !== -1) {
        const sock = await ctr.bindUDP(spec.podIP, flags.udpPort);
        sock.on('message', (msg, rinfo) => this.udpCommand(sock, msg, rinfo));
      }
      await ctr.listen(server, spec.podIP, flags.httpPort);
    } catch (err) {
      ctr.exit(exitWith(1));
      await ctr.exited;
      throw err;
    }
    if (flags.sctpPort !== -1) this.log('SCTP is not supported by svcnet; --sctp-port ignored');
    if (flags.udpPort !== -1) {
      this.log(`Started UDP server on port ${flags.udpListenAddresses} ${flags.udpPort}`);
      this.udpReady = true;
    }
    this.log(`Started HTTP server on port ${flags.httpPort}`);
    return ctr;
  }

  /** Like log.Fatal: the container starts, says why, and exits 1. */
  private fail(msg: string): RunningContainer {
    this.log(msg);
    this.ctr.exit(exitWith(1, msg));
    return this.ctr;
  }

  private onTerm(): void {
    const delay = this.flags.delayShutdown;
    if (delay > 0) {
      this.log(`Sleeping ${delay} seconds before terminating...`);
      this.ctr.after(delay * 1000, () => this.ctr.exit(exitWith(0)));
    } else {
      this.ctr.exit(exitWith(0));
    }
  }

  private udpCommand(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const text = msg.subarray(0, 2048).toString('utf8').trim().toLowerCase();
    const client = joinHostPort(rinfo.address, rinfo.port);
    const send = (s: string) => sock.send(s, rinfo.port, rinfo.address);
    if (text === 'hostname') {
      this.log('Sending udp hostName response');
      send(this.spec.hostname);
    } else if (text.startsWith('echo ')) {
      const resp = text.slice(5);
      this.log(`Echoing ${resp} to UDP client ${client}\n`);
      send(resp);
    } else if (text === 'clientip') {
      this.log(`Sending clientip back to UDP client ${client}\n`);
      send(client);
    } else if (text.length > 0) {
      this.log(`Unknown UDP command received from ${client}: ${text}\n`);
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = this.flags.httpOverride || req.url || '/';
    const url = new URL(target, 'http://netexec');
    const q = url.searchParams;
    const client = joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0);
    switch (url.pathname) {
      case '/clientip':
        this.log('GET /clientip');
        return reply(res, 200, client);
      case '/header':
        return this.header(req, res, q.get('key') ?? '');
      case '/dial':
        return void this.dial(res, q);
      case '/echo':
        return this.echo(res, q.get('msg') ?? '', q.get('code') ?? '');
      case '/exit':
        return this.exitHandler(res, q);
      case '/healthz':
        this.log('GET /healthz');
        return reply(res, this.udpReady ? 200 : 412, '');
      case '/readyz':
        return this.readyz(res);
      case '/hostname':
        this.log('GET /hostname');
        return reply(res, 200, this.spec.hostname);
      case '/hostName':
        this.log('GET /hostName');
        return reply(res, 200, this.spec.hostname);
      case '/redirect':
        return this.redirect(req, res, q.get('location') ?? '', q.get('code') ?? '');
      case '/shell':
        return this.shell(res, q.get('shellCommand') || q.get('cmd') || '');
      case '/shutdown':
        this.log('GET /shutdown');
        return this.ctr.exit(exitWith(0));
      case '/upload':
        this.log('GET /upload');
        this.log('Unable to upload file: svcnet netexec does not store uploads');
        return reply(res, 200, goJSON({ error: 'Unable to upload file.' }));
      case '/env':
        return this.envHandler(res);
      case '/fail-readiness':
        this.log('GET /fail-readiness');
        this.readinessFailed = true;
        return reply(res, 200, 'readiness: failing');
      case '/pass-readiness':
        this.log('GET /pass-readiness');
        this.readinessFailed = false;
        return reply(res, 200, 'readiness: passing');
      default:
        this.log('GET /');
        return reply(res, 200, `NOW: ${goNow(this.started)}`);
    }
  }

  private header(req: http.IncomingMessage, res: http.ServerResponse, key: string): void {
    const headers: Record<string, string[]> = {};
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = canonicalHeader(raw[i]);
      if (k === 'Host') continue; // Go moves Host out of the header map.
      headers[k] = [...(headers[k] ?? []), raw[i + 1]];
    }
    if (key !== '') {
      this.log(`GET /header?key=${key}`);
      return reply(res, 200, headers[canonicalHeader(key)]?.[0] ?? '');
    }
    this.log('GET /header');
    const sorted = Object.fromEntries(
      Object.keys(headers)
        .sort()
        .map((k) => [k, headers[k]]),
    );
    reply(res, 200, goJSON(sorted));
  }

  private echo(res: http.ServerResponse, msg: string, code: string): void {
    this.log(`GET /echo?msg=${msg}&code=${code}`);
    let status = 200;
    if (code !== '') {
      if (!/^[-+]?\d+$/.test(code)) {
        return reply(res, 200, `argument 'code' must be an integer or empty, got ${goQuote(code)}\n`);
      }
      status = Number(code);
      if (status < 100 || status > 999) return httpError(res, 500, `invalid WriteHeader code ${status}`);
    }
    reply(res, status, msg);
  }

  private readyz(res: http.ServerResponse): void {
    this.log('GET /readyz');
    if (this.ctr.terminating) return reply(res, 503, 'shutting down');
    if (this.readinessFailed) return reply(res, 503, 'readiness: failing');
    if (!this.udpReady) return reply(res, 412, '');
    reply(res, 200, 'ok');
  }

  private envHandler(res: http.ServerResponse): void {
    this.log('GET /env');
    const env = this.env();
    const body = Object.keys(env)
      .sort()
      .map((k) => `${k}=${env[k]}\n`)
      .join('');
    reply(res, 200, body);
  }

  private redirect(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    location: string,
    code: string,
  ): void {
    this.log(`${req.method} /redirect?msg=${location}&code=${code}`);
    let status = 302;
    if (code !== '') {
      if (!/^[-+]?\d+$/.test(code)) {
        return reply(res, 200, `argument 'code' must be an integer or empty, got ${goQuote(code)}\n`);
      }
      status = Number(code);
    }
    res.setHeader('Location', location);
    const text = http.STATUS_CODES[status] ?? '';
    const escaped = location.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const body = req.method === 'GET' || req.method === 'HEAD' ? `<a href="${escaped}">${text}</a>.\n\n` : '';
    reply(res, status, body, 'text/html; charset=utf-8');
  }

  private exitHandler(res: http.ServerResponse, q: URLSearchParams): void {
    const waitS = q.get('wait') ?? '';
    const timeoutS = q.get('timeout') ?? '';
    const codeS = q.get('code') ?? '';
    this.log(`GET /exit?code=${codeS}&timeout=${timeoutS}&wait=${waitS}`);
    const timeout = timeoutS === '' ? 0 : maybeGoDuration(timeoutS);
    if (timeout === undefined) {
      return reply(
        res,
        200,
        `argument 'timeout' must be a valid golang duration or empty, got ${goQuote(timeoutS)}\n`,
      );
    }
    const wait = waitS === '' ? 0 : maybeGoDuration(waitS);
    if (wait === undefined) {
      return reply(
        res,
        200,
        `argument 'wait' must be a valid golang duration or empty, got ${goQuote(waitS)}\n`,
      );
    }
    if (codeS !== '' && !/^[-+]?\d+$/.test(codeS)) {
      return reply(res, 200, `argument 'code' must be an integer [0-127] or empty, got ${goQuote(codeS)}\n`);
    }
    const code = codeS === '' ? 0 : Number(codeS);
    this.log(
      `Will begin shutdown in ${formatGoDuration(wait)}, allowing ${formatGoDuration(timeout)} for connections to close, then will exit with ${code}`,
    );
    const begin = () => {
      // timeout 0: os.Exit at once, the caller gets no answer.
      if (timeout <= 0) return this.ctr.exit(exitWith(code));
      res.setHeader('Connection', 'close');
      res.once('finish', async () => {
        const ok = await this.ctr.drain(timeout / 1e6);
        this.log(`Graceful shutdown completed with: ${ok ? '<nil>' : 'context deadline exceeded'}`);
        this.ctr.exit(exitWith(code));
      });
      reply(res, 200, '');
    };
    if (wait > 0) this.ctr.after(wait / 1e6, begin);
    else begin();
  }

  private shell(res: http.ServerResponse, cmd: string): void {
    this.log(`GET /shell?cmd=${cmd}`);
    let out = '';
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', cmd], {
        env: this.env(),
        cwd: this.spec.workingDir || '/',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      return reply(res, 200, goJSON({ error: `fork/exec /bin/sh: ${(err as Error).message}` }));
    }
    this.ctr.track(child);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    let spawnError = '';
    child.on('error', (err) => {
      spawnError = `fork/exec /bin/sh: ${err.message}`;
    });
    child.on('close', (code, signal) => {
      const output: Record<string, string> = {};
      const error =
        spawnError || (signal ? `signal: ${signalText(signal)}` : code ? `exit status ${code}` : '');
      if (error) output.error = error;
      if (out.length > 0) output.output = out;
      this.log(
        `Output: map[${Object.entries(output)
          .map(([k, v]) => `${k}:${v}`)
          .join(' ')}]`,
      );
      if (!res.destroyed) reply(res, 200, goJSON(output));
    });
  }

  private async dial(res: http.ServerResponse, q: URLSearchParams): Promise<void> {
    const host = q.get('host') ?? '';
    const port = q.get('port') ?? '';
    const request = q.get('request') ?? '';
    const protocol = q.get('protocol') ?? '';
    const tryParam = q.get('tries') ?? '';
    this.log(`GET /dial?host=${host}&protocol=${protocol}&port=${port}&request=${request}&tries=${tryParam}`);
    let tries = 1;
    if (tryParam !== '') {
      if (!/^[-+]?\d+$/.test(tryParam)) {
        return httpError(
          res,
          400,
          `tries parameter is invalid. strconv.Atoi: parsing ${goQuote(tryParam)}: invalid syntax`,
        );
      }
      tries = Number(tryParam);
    }
    if (request === '') return httpError(res, 400, 'request parameter not specified. <nil>');
    const proto = protocol.toLowerCase();
    if (proto !== '' && proto !== 'http' && proto !== 'udp' && proto !== 'sctp') {
      return httpError(res, 400, `unsupported protocol. ${protocol}`);
    }
    const network = proto === 'udp' ? 'udp' : proto === 'sctp' ? 'sctp' : 'tcp';
    let ip: string;
    let portNum = 0;
    try {
      if (port !== '') {
        if (!/^\d+$/.test(port) || Number(port) > 65535)
          throw new Error(`lookup ${network}/${port}: unknown port`);
        portNum = Number(port);
      }
      ip = host === '' ? this.spec.podIP : isIP(host) ? host : (await lookup(host)).address;
    } catch (err) {
      const msg = (err as NodeJS.ErrnoException).code
        ? `lookup ${host}: no such host`
        : (err as Error).message;
      return httpError(res, 400, `host and/or port param are invalid. ${msg}`);
    }
    const errors: string[] = [];
    const responses: string[] = [];
    let last = '';
    for (let i = 0; i < tries && !this.ctr.ended; i++) {
      try {
        // The pod's own IP is the source address, as from inside the pod.
        const from = isIPv6(ip) === isIPv6(this.spec.podIP) ? this.spec.podIP : undefined;
        if (proto === 'udp') last = await dialUDP(request, ip, portNum, from);
        else if (proto === 'sctp') throw new Error('sctp dial failed. err:SCTP is not supported by svcnet');
        else last = await dialHTTP(request, ip, portNum, from);
        responses.push(last);
      } catch (err) {
        last = '';
        errors.push((err as Error).message);
      }
    }
    const output: Record<string, string[]> = {};
    if (errors.length > 0) output.errors = errors;
    if (last.length > 0) output.responses = responses;
    if (!res.destroyed) reply(res, 200, goJSON(output));
  }
}

function signalText(sig: string): string {
  return sig === 'SIGKILL' ? 'killed' : sig === 'SIGTERM' ? 'terminated' : sig;
}

const DIAL_TIMEOUT_MS = 5000;

/** agnhost's dialHTTP: GET http://addr/request with a 5 s client timeout; Go's error wording. */
export function dialHTTP(request: string, ip: string, port: number, localAddress?: string): Promise<string> {
  const addr = joinHostPort(ip, port);
  const url = `http://${addr}/${request}`;
  return new Promise((resolve, reject) => {
    const fail = (detail: string) => reject(new Error(`Get ${goQuote(url)}: ${detail}`));
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: ip,
        port,
        path: `/${request}`,
        agent: false,
        localAddress,
        headers: { 'User-Agent': 'Go-http-client/1.1' },
      });
    } catch (err) {
      return fail((err as Error).message);
    }
    const timer = setTimeout(() => {
      req.destroy();
      fail('context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
    }, DIAL_TIMEOUT_MS);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const byCode: Record<string, string> = {
        ECONNREFUSED: `dial tcp ${addr}: connect: connection refused`,
        EHOSTUNREACH: `dial tcp ${addr}: connect: no route to host`,
        ENETUNREACH: `dial tcp ${addr}: connect: network is unreachable`,
        ECONNRESET: 'EOF',
      };
      fail(byCode[err.code ?? ''] ?? err.message);
    });
    req.on('response', (resp) => {
      let body = '';
      resp.setEncoding('utf8');
      resp.on('data', (c: string) => {
        body += c;
      });
      resp.on('end', () => {
        clearTimeout(timer);
        resolve(body);
      });
      resp.on('error', (err) => {
        clearTimeout(timer);
        fail(err.message);
      });
    });
    req.end();
  });
}

/** agnhost's dialUDP: one datagram out, one back within 5 s. */
export function dialUDP(request: string, ip: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
    let local = '';
    const remote = joinHostPort(ip, port);
    const finish = (err: string | undefined, value = '') => {
      clearTimeout(timer);
      sock.close();
      if (err !== undefined) reject(new Error(`reading from udp connection failed. err:'${err}'`));
      else resolve(value);
    };
    const timer = setTimeout(() => finish(`read udp ${local}->${remote}: i/o timeout`), DIAL_TIMEOUT_MS);
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish(`read udp ${local}->${remote}: read: connection refused`);
      else finish(err.message);
    });
    sock.on('message', (msg) => {
      const text = msg.subarray(0, 2048).toString('utf8');
      if (text.length === 0) finish('<nil>');
      else finish(undefined, text);
    });
    const connect = () =>
      sock.connect(port, ip, () => {
        const a = sock.address();
        local = joinHostPort(a.address, a.port);
        sock.send(request);
      });
    if (localAddress) sock.bind({ address: localAddress, port: 0 }, connect);
    else connect();
  });
}

/** Starts netexec with its command-line flags (already stripped of `netexec`). */
export async function startNetexec(spec: ContainerSpec, flagArgs: string[]): Promise<RunningContainer> {
  const flags = parseNetexecFlags(flagArgs);
  if ('error' in flags) {
    // cobra prints the error and exits 1: the container starts and ends.
    const ctr = new InProcessContainer();
    spec.stderr(`Error: ${flags.error}\n`);
    ctr.exit(exitWith(1, flags.error));
    return ctr;
  }
  return new Netexec(spec, flags).start();
}
