/**
 * The admin kubeconfig written to DATA_DIR/kubeconfig: one cluster, user and
 * context, all named `svcnet`, carrying the CA, the admin client certificate
 * and the admin bearer token, so kubectl and any client library work as is.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Pki } from './pki.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function kubeconfigYaml(server: string, pki: Pki, name = 'svcnet'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b64(pki.caCert) } }],
    users: [
      {
        name,
        user: {
          'client-certificate-data': b64(pki.adminCert),
          'client-key-data': b64(pki.adminKey),
          token: pki.adminToken,
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, server: string, pki: Pki): void {
  writeFileSync(path, kubeconfigYaml(server, pki), { mode: 0o600 });
}
