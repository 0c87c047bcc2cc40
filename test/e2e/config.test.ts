/**
 * ConfigMaps, Secrets and ServiceAccounts with the real kubectl: create
 * (literals, files, tls, docker-registry), get/describe/edit/apply/patch/
 * delete, stringData and immutability; the default ServiceAccount of a new
 * namespace; and busybox pods reading env and volume files from them,
 * updates reaching the files, CreateContainerConfigError and FailedMount
 * until the objects appear.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { fails, getJson, type Obj, tableNoAge } from './kubectl-output.js';

const skip = skipReason();
const b64 = (s: string) => Buffer.from(s).toString('base64');
const logs = (c: Cluster, pod: string) => c.kubectl(['logs', pod]).stdout;
const waiting = (c: Cluster, pod: string): Obj =>
  getJson(c, ['pod', pod]).status?.containerStatuses?.[0]?.state?.waiting;

describe('e2e: ConfigMaps, Secrets and ServiceAccounts', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  it('creates, shows, edits, patches and deletes ConfigMaps', () => {
    const file = c.writeFile('game.properties', 'lives=3\n');
    c.ok(['create', 'configmap', 'cm1', '--from-literal=a=b', `--from-file=${file}`]);
    assert.deepEqual(tableNoAge(c.ok(['get', 'cm', 'cm1'])), [
      ['NAME', 'DATA'],
      ['cm1', '2'],
    ]);
    const d = c.ok(['describe', 'configmap', 'cm1']);
    assert.match(d, /^Name:\s+cm1$/m);
    assert.match(d, /game\.properties:\n----\nlives=3\n/);
    c.ok(['edit', 'cm', 'cm1'], { env: { KUBE_EDITOR: 'sed -i s/lives=3/lives=9/' } });
    assert.equal(getJson(c, ['cm', 'cm1']).data['game.properties'], 'lives=9\n');
    c.ok(['patch', 'cm', 'cm1', '-p', '{"data":{"c":"d"}}']);
    assert.deepEqual(Object.keys(getJson(c, ['cm', 'cm1']).data).sort(), ['a', 'c', 'game.properties']);

    const bad = fails(c, ['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'bad' },
        data: { 'a/b': 'x' },
      }),
    });
    assert.match(
      bad,
      /data\[a\/b\]: Invalid value: "a\/b": a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/,
    );

    // Immutable: data is frozen and immutable cannot be unset.
    c.ok(['patch', 'cm', 'cm1', '--type=merge', '-p', '{"immutable":true}']);
    assert.match(
      fails(c, ['patch', 'cm', 'cm1', '-p', '{"data":{"a":"z"}}']),
      /data: Forbidden: field is immutable when `immutable` is set/,
    );
    assert.match(
      fails(c, ['patch', 'cm', 'cm1', '--type=merge', '-p', '{"immutable":false}']),
      /immutable: Forbidden: field is immutable when `immutable` is set/,
    );
    c.ok(['delete', 'cm', 'cm1']);
    assert.match(fails(c, ['get', 'cm', 'cm1']), /configmaps "cm1" not found/);
  });

  it('creates Secrets of each kubectl kind; stringData folds into data and is never returned', () => {
    c.ok(['create', 'secret', 'generic', 's1', '--from-literal=p=x']);
    const key = c.writeFile('tls.key', '');
    const crt = c.writeFile('tls.crt', '');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-subj',
        '/CN=e2e',
        '-days',
        '1',
      ],
      {
        stdio: 'ignore',
      },
    );
    c.ok(['create', 'secret', 'tls', 't1', `--cert=${crt}`, `--key=${key}`]);
    c.ok([
      'create',
      'secret',
      'docker-registry',
      'd1',
      '--docker-server=r.example',
      '--docker-username=u',
      '--docker-password=p',
    ]);
    assert.deepEqual(tableNoAge(c.ok(['get', 'secrets'])), [
      ['NAME', 'TYPE', 'DATA'],
      ['d1', 'kubernetes.io/dockerconfigjson', '1'],
      ['s1', 'Opaque', '1'],
      ['t1', 'kubernetes.io/tls', '2'],
    ]);
    assert.deepEqual(tableNoAge(c.ok(['get', 'secrets', '--field-selector', 'type=kubernetes.io/tls'])), [
      ['NAME', 'TYPE', 'DATA'],
      ['t1', 'kubernetes.io/tls', '2'],
    ]);
    assert.equal(getJson(c, ['secret', 's1']).data.p, b64('x'));
    assert.match(c.ok(['describe', 'secret', 's1']), /^p:\s+1 bytes$/m);

    const manifest = (user: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata: {name: s2}\nstringData: {user: ${user}}\ndata: {pw: ${b64('secret')}}\n`;
    c.ok(['apply', '-f', '-'], { input: manifest('admin') });
    let s2 = getJson(c, ['secret', 's2']);
    assert.deepEqual(s2.data, { pw: b64('secret'), user: b64('admin') });
    assert.equal(s2.stringData, undefined);
    c.ok(['apply', '-f', '-'], { input: manifest('root') });
    s2 = getJson(c, ['secret', 's2']);
    assert.equal(s2.data.user, b64('root'));

    assert.match(
      fails(c, ['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'b' },
          data: { a: 'x' },
        }),
      }),
      /Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0/,
    );
    assert.match(
      fails(c, ['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'b' },
          type: 'kubernetes.io/tls',
        }),
      }),
      /data\[tls\.crt\]: Required value/,
    );
    c.ok(['delete', 'secret', 's2', 't1', 'd1']);
  });

  it('keeps a default ServiceAccount in every namespace; kubectl create sa works', async () => {
    c.ok(['create', 'namespace', 'team-a']);
    await eventually(
      () => c.kubectl(['get', 'sa', 'default', '-n', 'team-a']).code === 0,
      20_000,
      'default SA',
    );
    c.ok(['create', 'sa', 'builder', '-n', 'team-a']);
    assert.deepEqual(tableNoAge(c.ok(['get', 'sa', '-n', 'team-a'])), [
      ['NAME', 'SECRETS'],
      ['builder', '0'],
      ['default', '0'],
    ]);
    const uid = getJson(c, ['sa', 'default', '-n', 'team-a']).metadata.uid;
    c.ok(['delete', 'sa', 'default', '-n', 'team-a']);
    await eventually(
      () => {
        const r = c.kubectl(['get', 'sa', 'default', '-n', 'team-a', '-o', 'jsonpath={.metadata.uid}']);
        return r.code === 0 && r.stdout !== uid;
      },
      20_000,
      'default SA recreated',
    );
    c.ok(['-n', 'team-a', 'create', 'configmap', 'x', '--from-literal=a=b']);
    c.ok(['delete', 'namespace', 'team-a', '--timeout=60s']);
    assert.match(fails(c, ['get', 'ns', 'team-a']), /not found/);
  });

  it('pods read env and files from them; updates reach the files', async () => {
    c.ok(['create', 'configmap', 'app', '--from-literal=greeting=hello', '--from-literal=color=blue']);
    c.ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret']);
    const pod = `
apiVersion: v1
kind: Pod
metadata: {name: reader, labels: {app: reader}}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'echo "GREETING=$GREETING PASSWORD=$PASSWORD CFG_color=$CFG_color"; while true; do echo "file=$(cat $SVCNET_POD_ROOT/etc/app/greeting) secret=$(cat $SVCNET_POD_ROOT/etc/creds/pw)"; sleep 0.3; done']
    env:
    - name: GREETING
      valueFrom: {configMapKeyRef: {name: app, key: greeting}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: creds, key: password}}
    - name: MISSING
      valueFrom: {configMapKeyRef: {name: app, key: nope, optional: true}}
    envFrom:
    - {prefix: CFG_, configMapRef: {name: app}}
    volumeMounts:
    - {name: app, mountPath: /etc/app}
    - {name: creds, mountPath: /etc/creds}
  volumes:
  - name: app
    configMap: {name: app}
  - name: creds
    projected:
      sources:
      - secret: {name: creds, items: [{key: password, path: pw, mode: 0400}]}
`;
    c.ok(['apply', '-f', '-'], { input: pod });
    await eventually(() => logs(c, 'reader').includes('file=hello secret=s3cret'), 60_000, 'files read');
    assert.match(logs(c, 'reader'), /^GREETING=hello PASSWORD=s3cret CFG_color=blue$/m);
    c.ok(['patch', 'configmap', 'app', '-p', '{"data":{"greeting":"bonjour"}}']);
    await eventually(() => logs(c, 'reader').includes('file=bonjour'), 30_000, 'the update in the file');
    c.ok(['delete', 'pod', 'reader', '--wait=true']);
  });

  it('waits with CreateContainerConfigError, or in ContainerCreating with FailedMount, until the objects appear', async () => {
    const pod = (name: string, body: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'echo "X=$X"; sleep 3600']
${body}`;
    c.ok(['apply', '-f', '-'], {
      input: pod(
        'envy',
        '    env:\n    - name: X\n      valueFrom: {configMapKeyRef: {name: later, key: x}}\n',
      ),
    });
    c.ok(['apply', '-f', '-'], {
      input: pod(
        'mounty',
        '    volumeMounts: [{name: v, mountPath: /etc/v}]\n  volumes:\n  - name: v\n    secret: {secretName: later-secret}\n',
      ),
    });
    const w = await eventually(
      () => waiting(c, 'envy')?.reason === 'CreateContainerConfigError' && waiting(c, 'envy'),
      30_000,
    );
    assert.equal(w.message, 'configmap "later" not found');
    assert.match(c.ok(['get', 'pod', 'envy']), /envy\s+0\/1\s+CreateContainerConfigError/);
    c.ok(['create', 'configmap', 'later', '--from-literal=y=1']);
    await eventually(
      () => waiting(c, 'envy')?.message === "couldn't find key x in ConfigMap default/later",
      30_000,
    );
    c.ok(['patch', 'configmap', 'later', '-p', '{"data":{"x":"ok"}}']);
    await eventually(() => logs(c, 'envy').includes('X=ok'), 30_000, 'envy started');

    await eventually(() => waiting(c, 'mounty')?.reason === 'ContainerCreating', 30_000, 'mounty creating');
    await eventually(
      () =>
        c
          .ok(['get', 'events', '--field-selector', 'involvedObject.name=mounty,reason=FailedMount'])
          .includes('MountVolume.SetUp failed for volume "v" : secret "later-secret" not found'),
      30_000,
      'FailedMount event',
    );
    c.ok(['create', 'secret', 'generic', 'later-secret', '--from-literal=k=v']);
    await eventually(
      () => getJson(c, ['pod', 'mounty']).status?.phase === 'Running',
      30_000,
      'mounty running',
    );
    c.ok(['delete', 'pod', 'envy', 'mounty', '--wait=true']);
  });
});
