/**
 * `nginx` (any tag), in process: a static HTTP server on the pod IP, port 80,
 * answering GET and HEAD with a small page naming the pod, and logging each
 * request to stdout in the official image's `main` log format (combined plus
 * X-Forwarded-For). SIGTERM is nginx's fast shutdown: exit 0.
 */
import * as http from 'node:http';
import { exitWith, goLogTime, InProcessContainer } from './inprocess.js';
import type { ContainerSpec, RunningContainer } from './types.js';

export const NGINX_PORT = 80;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** nginx's $time_local in UTC: `02/Jan/2025:03:04:05 +0000`. */
export function nginxTime(d = new Date()): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page every GET gets: the pod's name, so a client sees which pod answered. */
export function nginxPage(spec: Pick<ContainerSpec, 'podName' | 'namespace'>): string {
  const name = htmlEscape(spec.podName);
  return (
    '<!DOCTYPE html>\n<html>\n<head>\n' +
    `<title>${name}</title>\n` +
    '</head>\n<body>\n' +
    `<h1>${name}</h1>\n` +
    `<p>nginx (svcnet built-in image) in pod ${htmlEscape(spec.namespace)}/${name}.</p>\n` +
    '</body>\n</html>\n'
  );
}

function errorPage(status: number): string {
  const title = `${status} ${status === 405 ? 'Not Allowed' : (http.STATUS_CODES[status] ?? '')}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

export async function startNginx(spec: ContainerSpec): Promise<RunningContainer> {
  const ctr = new InProcessContainer();
  const page = nginxPage(spec);
  const errlog = (level: string, msg: string) => spec.stderr(`${goLogTime()} [${level}] 1#1: ${msg}\n`);
  const server = http.createServer((req, res) => {
    const ok = req.method === 'GET' || req.method === 'HEAD';
    const body = ok ? page : errorPage(405);
    res.setHeader('Server', 'nginx');
    res.setHeader('Content-Type', 'text/html');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.writeHead(ok ? 200 : 405);
    res.end(req.method === 'HEAD' ? undefined : body);
    const sent = req.method === 'HEAD' ? 0 : Buffer.byteLength(body);
    const q = (s: string | string[] | undefined) => (typeof s === 'string' && s !== '' ? s : '-');
    spec.stdout(
      `${req.socket.remoteAddress ?? '-'} - - [${nginxTime()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ` +
        `${res.statusCode} ${sent} "${q(req.headers.referer)}" "${q(req.headers['user-agent'])}" "${q(req.headers['x-forwarded-for'])}"\n`,
    );
  });
  ctr.onTerm = () => {
    errlog('notice', 'signal 15 (SIGTERM) received, exiting');
    errlog('notice', 'exit');
    ctr.exit(exitWith(0));
  };
  await ctr.listen(server, spec.podIP, NGINX_PORT);
  spec.stdout('/docker-entrypoint.sh: Configuration complete; ready for start up\n');
  errlog('notice', 'start worker processes');
  return ctr;
}
