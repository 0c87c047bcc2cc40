/**
 * The control plane's credentials, made on first start in DATA_DIR/pki: a CA,
 * the API server's serving certificate (SANs: 127.0.0.1, ::1, localhost, the
 * `kubernetes` service IP and its DNS names), an admin client certificate
 * (O=system:masters, as kubeadm's admin.conf) and an admin bearer token.
 * Keys come from node:crypto; node-forge builds and signs the certificates.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  adminToken: string;
}

export interface ServingNames {
  ips: string[];
  dns: string[];
}

const DAY = 24 * 3600 * 1000;

function newKey(): { pem: string; key: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    pem: privateKey,
    key: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    pub: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
  };
}

interface CertSpec {
  subject: forge.pki.CertificateField[];
  pub: forge.pki.rsa.PublicKey;
  days: number;
  ca?: boolean;
  usage: 'server' | 'client' | 'ca';
  names?: ServingNames;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  selfKey?: forge.pki.rsa.PrivateKey;
}

function makeCert(spec: CertSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.pub;
  // A positive serial: clear the top bit of the first byte.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(now + spec.days * DAY);
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : spec.subject);
  const ext: object[] = [{ name: 'basicConstraints', cA: spec.usage === 'ca', critical: true }];
  if (spec.usage === 'ca') {
    ext.push({ name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true });
  } else {
    ext.push({ name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true });
    ext.push({
      name: 'extKeyUsage',
      serverAuth: spec.usage === 'server',
      clientAuth: spec.usage === 'client',
    });
  }
  if (spec.names) {
    ext.push({
      name: 'subjectAltName',
      altNames: [
        ...spec.names.dns.map((value) => ({ type: 2, value })),
        ...spec.names.ips.map((ip) => ({ type: 7, ip })),
      ],
    });
  }
  ext.push({ name: 'subjectKeyIdentifier' });
  if (spec.issuer)
    ext.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: spec.issuer.cert.generateSubjectKeyIdentifier().getBytes(),
    });
  cert.setExtensions(ext);
  cert.sign(spec.issuer?.key ?? spec.selfKey!, forge.md.sha256.create());
  return cert;
}

const pem = (c: forge.pki.Certificate) => forge.pki.certificateToPem(c);

/** True if the certificate covers every name and stays valid for 30 more days. */
function covers(certPem: string, names: ServingNames): boolean {
  const x = new X509Certificate(certPem);
  if (new Date(x.validTo).getTime() - Date.now() < 30 * DAY) return false;
  return (
    names.dns.every((d) => x.checkHost(d, { wildcards: false }) !== undefined) &&
    names.ips.every((ip) => x.checkIP(ip) !== undefined)
  );
}

function writeSecret(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
}

/**
 * Loads the PKI from `dir`, creating what is missing; the serving certificate
 * is re-issued when it no longer covers `names` (e.g. the service range moved).
 */
export function ensurePki(dir: string, names: ServingNames): Pki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (f: string) => join(dir, f);
  let caCert: forge.pki.Certificate;
  let caKey: forge.pki.rsa.PrivateKey;
  if (existsSync(path('ca.crt')) && existsSync(path('ca.key'))) {
    caCert = forge.pki.certificateFromPem(readFileSync(path('ca.crt'), 'utf8'));
    caKey = forge.pki.privateKeyFromPem(readFileSync(path('ca.key'), 'utf8')) as forge.pki.rsa.PrivateKey;
  } else {
    const k = newKey();
    caCert = makeCert({
      subject: [{ name: 'commonName', value: 'svcnet-ca' }],
      pub: k.pub,
      days: 3650,
      usage: 'ca',
      selfKey: k.key,
    });
    caKey = k.key;
    writeSecret(path('ca.key'), k.pem);
    writeFileSync(path('ca.crt'), pem(caCert));
  }
  const issuer = { cert: caCert, key: caKey };

  if (!existsSync(path('apiserver.crt')) || !covers(readFileSync(path('apiserver.crt'), 'utf8'), names)) {
    const k = newKey();
    const cert = makeCert({
      subject: [{ name: 'commonName', value: 'kube-apiserver' }],
      pub: k.pub,
      days: 365,
      usage: 'server',
      names,
      issuer,
    });
    writeSecret(path('apiserver.key'), k.pem);
    writeFileSync(path('apiserver.crt'), pem(cert));
  }
  if (!existsSync(path('admin.crt'))) {
    const k = newKey();
    const cert = makeCert({
      subject: [
        { name: 'organizationName', value: 'system:masters' },
        { name: 'commonName', value: 'kubernetes-admin' },
      ],
      pub: k.pub,
      days: 365,
      usage: 'client',
      issuer,
    });
    writeSecret(path('admin.key'), k.pem);
    writeFileSync(path('admin.crt'), pem(cert));
  }
  if (!existsSync(path('admin-token')))
    writeSecret(path('admin-token'), `${randomBytes(32).toString('hex')}\n`);

  const read = (f: string) => readFileSync(path(f), 'utf8');
  return {
    caCert: read('ca.crt'),
    serverCert: read('apiserver.crt'),
    serverKey: read('apiserver.key'),
    adminCert: read('admin.crt'),
    adminKey: read('admin.key'),
    adminToken: read('admin-token').trim(),
  };
}
