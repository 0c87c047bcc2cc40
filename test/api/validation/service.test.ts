import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service as V1Service } from 'kubernetes-types/core/v1.js';
import {
  validateService,
  validateServiceStatusUpdate,
  validateServiceUpdate,
} from '../../../src/api/validation/service.js';
import {
  CIDR_MSG,
  DNS1035_LABEL,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  IP_MSG,
  LABEL_VALUE,
  PORT_RANGE,
  QNAME_NAME_PART,
  QNAME_TOO_MANY_SLASHES,
  strings,
  type Writable,
} from './messages.js';

type Service = Writable<V1Service>;

/** A valid ClusterIP service as it reaches validation: defaulted, IPs allocated. */
function clusterIP(): Service {
  return {
    metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    spec: {
      type: 'ClusterIP',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    },
  };
}

function nodePort(): Service {
  const s = clusterIP();
  s.spec!.type = 'NodePort';
  s.spec!.ports![0]!.nodePort = 30080;
  s.spec!.externalTrafficPolicy = 'Cluster';
  return s;
}

function loadBalancer(): Service {
  const s = nodePort();
  s.spec!.type = 'LoadBalancer';
  s.spec!.allocateLoadBalancerNodePorts = true;
  return s;
}

function headless(): Service {
  const s = clusterIP();
  s.spec!.clusterIP = 'None';
  s.spec!.clusterIPs = ['None'];
  return s;
}

function externalName(): Service {
  return {
    metadata: { name: 'db', namespace: 'default', resourceVersion: '1' },
    spec: { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' },
  };
}

function dualStack(): Service {
  const s = clusterIP();
  s.spec!.clusterIPs = ['10.96.0.10', 'fd00::10'];
  s.spec!.ipFamilies = ['IPv4', 'IPv6'];
  s.spec!.ipFamilyPolicy = 'PreferDualStack';
  return s;
}

type Case = [name: string, base: () => Service, mutate: (s: Service) => void, want: string[]];

const createCases: Case[] = [
  ['valid ClusterIP', clusterIP, () => {}, []],
  ['valid NodePort', nodePort, () => {}, []],
  ['valid LoadBalancer', loadBalancer, () => {}, []],
  ['valid headless without ports', headless, (s) => delete s.spec!.ports, []],
  ['valid ExternalName without ports', externalName, () => {}, []],
  ['valid dual-stack', dualStack, () => {}, []],
  [
    'valid dual-stack, IPv6 first',
    dualStack,
    (s) => {
      s.spec!.clusterIP = 'fd00::10';
      s.spec!.clusterIPs = ['fd00::10', '10.96.0.10'];
      s.spec!.ipFamilies = ['IPv6', 'IPv4'];
    },
    [],
  ],

  // metadata
  [
    'namespace required',
    clusterIP,
    (s) => delete s.metadata!.namespace,
    ['metadata.namespace: Required value'],
  ],
  [
    'name must be a DNS-1035 label',
    clusterIP,
    (s) => (s.metadata!.name = '1web'),
    [`metadata.name: Invalid value: "1web": ${DNS1035_LABEL}`],
  ],
  [
    'name too long',
    clusterIP,
    (s) => (s.metadata!.name = 'a'.repeat(64)),
    [`metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
  ],
  [
    'generateName is a DNS-1035 prefix',
    clusterIP,
    (s) => (s.metadata!.generateName = '9web-'),
    [`metadata.generateName: Invalid value: "9web-": ${DNS1035_LABEL}`],
  ],
  [
    'topology annotations must agree',
    clusterIP,
    (s) =>
      (s.metadata!.annotations = {
        'service.kubernetes.io/topology-mode': 'Auto',
        'service.kubernetes.io/topology-aware-hints': 'Disabled',
      }),
    [
      'metadata.annotations[service.kubernetes.io/topology-mode]: Invalid value: "Auto": must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified',
    ],
  ],
  [
    'topology annotations that agree',
    clusterIP,
    (s) =>
      (s.metadata!.annotations = {
        'service.kubernetes.io/topology-mode': 'Auto',
        'service.kubernetes.io/topology-aware-hints': 'Auto',
      }),
    [],
  ],

  // ports
  ['ports required', clusterIP, (s) => (s.spec!.ports = []), ['spec.ports: Required value']],
  [
    'port name required when several',
    clusterIP,
    (s) => s.spec!.ports!.push({ port: 443, protocol: 'TCP', targetPort: 8443 }),
    ['spec.ports[1].name: Required value'],
  ],
  ['single port may be unnamed', clusterIP, (s) => delete s.spec!.ports![0]!.name, []],
  [
    'port name must be a DNS-1123 label',
    clusterIP,
    (s) => (s.spec!.ports![0]!.name = 'HTTP'),
    [`spec.ports[0].name: Invalid value: "HTTP": ${DNS1123_LABEL}`],
  ],
  [
    'port names unique',
    clusterIP,
    (s) => s.spec!.ports!.push({ name: 'http', port: 443, protocol: 'TCP', targetPort: 443 }),
    ['spec.ports[1].name: Duplicate value: "http"'],
  ],
  [
    'port 0',
    clusterIP,
    (s) => (s.spec!.ports![0]!.port = 0),
    [`spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`],
  ],
  [
    'port 65536',
    clusterIP,
    (s) => (s.spec!.ports![0]!.port = 65536),
    [`spec.ports[0].port: Invalid value: 65536: ${PORT_RANGE}`],
  ],
  [
    'protocol required',
    clusterIP,
    (s) => delete s.spec!.ports![0]!.protocol,
    ['spec.ports[0].protocol: Required value'],
  ],
  [
    'protocol supported',
    clusterIP,
    (s) => (s.spec!.ports![0]!.protocol = 'tcp'),
    ['spec.ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"'],
  ],
  [
    'UDP and SCTP',
    clusterIP,
    (s) =>
      s.spec!.ports!.push(
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'sctp', port: 9, protocol: 'SCTP', targetPort: 9 },
      ),
    [],
  ],
  [
    'targetPort 0',
    clusterIP,
    (s) => (s.spec!.ports![0]!.targetPort = 0),
    [`spec.ports[0].targetPort: Invalid value: 0: ${PORT_RANGE}`],
  ],
  ['named targetPort', clusterIP, (s) => (s.spec!.ports![0]!.targetPort = 'http-alt'), []],
  [
    'numeric string targetPort is a name',
    clusterIP,
    (s) => (s.spec!.ports![0]!.targetPort = '8080'),
    ['spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)'],
  ],
  [
    'bad targetPort name',
    clusterIP,
    (s) => (s.spec!.ports![0]!.targetPort = 'my--very-long-port'),
    [
      'spec.ports[0].targetPort: Invalid value: "my--very-long-port": must be no more than 15 characters',
      'spec.ports[0].targetPort: Invalid value: "my--very-long-port": must not contain consecutive hyphens',
    ],
  ],
  [
    'appProtocol qualified name',
    clusterIP,
    (s) => (s.spec!.ports![0]!.appProtocol = 'kubernetes.io/h2c'),
    [],
  ],
  [
    'bad appProtocol',
    clusterIP,
    (s) => (s.spec!.ports![0]!.appProtocol = 'a/b/c'),
    [`spec.ports[0].appProtocol: Invalid value: "a/b/c": ${QNAME_TOO_MANY_SLASHES}`],
  ],
  [
    'duplicate (protocol, port)',
    clusterIP,
    (s) => s.spec!.ports!.push({ name: 'other', port: 80, protocol: 'TCP', targetPort: 81 }),
    [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
  ],
  [
    'same port, other protocol',
    clusterIP,
    (s) => s.spec!.ports!.push({ name: 'udp', port: 80, protocol: 'UDP', targetPort: 80 }),
    [],
  ],

  // selector
  [
    'bad selector',
    clusterIP,
    (s) => (s.spec!.selector = { 'a b': 'c', d: 'e f' }),
    [
      `spec.selector: Invalid value: "a b": ${QNAME_NAME_PART}`,
      `spec.selector: Invalid value: "e f": ${LABEL_VALUE}`,
    ],
  ],

  // session affinity
  [
    'sessionAffinity required',
    clusterIP,
    (s) => delete s.spec!.sessionAffinity,
    ['spec.sessionAffinity: Required value'],
  ],
  [
    'sessionAffinity supported',
    clusterIP,
    (s) => (s.spec!.sessionAffinity = 'Cookie'),
    ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'],
  ],
  [
    'ClientIP needs config',
    clusterIP,
    (s) => (s.spec!.sessionAffinity = 'ClientIP'),
    ['spec.sessionAffinityConfig: Required value: when session affinity type is ClientIP'],
  ],
  [
    'ClientIP needs clientIP',
    clusterIP,
    (s) => {
      s.spec!.sessionAffinity = 'ClientIP';
      s.spec!.sessionAffinityConfig = {};
    },
    ['spec.sessionAffinityConfig.clientIP: Required value: when session affinity type is ClientIP'],
  ],
  [
    'ClientIP needs timeout',
    clusterIP,
    (s) => {
      s.spec!.sessionAffinity = 'ClientIP';
      s.spec!.sessionAffinityConfig = { clientIP: {} };
    },
    [
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Required value: when session affinity type is ClientIP',
    ],
  ],
  [
    'ClientIP timeout 0',
    clusterIP,
    (s) => {
      s.spec!.sessionAffinity = 'ClientIP';
      s.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds: 0 } };
    },
    [
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
    ],
  ],
  [
    'ClientIP timeout 86400',
    clusterIP,
    (s) => {
      s.spec!.sessionAffinity = 'ClientIP';
      s.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds: 86400 } };
    },
    [],
  ],
  [
    'ClientIP timeout 86401',
    clusterIP,
    (s) => {
      s.spec!.sessionAffinity = 'ClientIP';
      s.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds: 86401 } };
    },
    [
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400',
    ],
  ],
  [
    'None forbids config',
    clusterIP,
    (s) => (s.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10 } }),
    ['spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None'],
  ],

  // type
  ['type required', clusterIP, (s) => delete s.spec!.type, ['spec.type: Required value']],
  [
    'type supported',
    clusterIP,
    (s) => (s.spec!.type = 'Internal'),
    [
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ],
  ],
  [
    'nodePort on ClusterIP',
    clusterIP,
    (s) => (s.spec!.ports![0]!.nodePort = 30080),
    ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  ],
  [
    'duplicate nodePort',
    nodePort,
    (s) => s.spec!.ports!.push({ name: 'b', port: 81, protocol: 'TCP', targetPort: 81, nodePort: 30080 }),
    ['spec.ports[1].nodePort: Duplicate value: 30080'],
  ],
  [
    'same nodePort, other protocol',
    nodePort,
    (s) => s.spec!.ports!.push({ name: 'b', port: 81, protocol: 'UDP', targetPort: 81, nodePort: 30080 }),
    [],
  ],

  // headless / ExternalName
  [
    'headless NodePort',
    nodePort,
    (s) => {
      s.spec!.clusterIP = 'None';
      s.spec!.clusterIPs = ['None'];
    },
    ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services'],
  ],
  [
    'headless LoadBalancer',
    loadBalancer,
    (s) => {
      s.spec!.clusterIP = 'None';
      s.spec!.clusterIPs = ['None'];
    },
    ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for LoadBalancer services'],
  ],
  ['headless with families', headless, (s) => (s.spec!.ipFamilies = ['IPv6', 'IPv4']), []],
  ['ExternalName trailing dot', externalName, (s) => (s.spec!.externalName = 'db.example.com.'), []],
  [
    'ExternalName required',
    externalName,
    (s) => (s.spec!.externalName = '.'),
    ['spec.externalName: Required value'],
  ],
  [
    'ExternalName DNS subdomain',
    externalName,
    (s) => (s.spec!.externalName = 'DB.example.com'),
    [`spec.externalName: Invalid value: "DB.example.com": ${DNS1123_SUBDOMAIN}`],
  ],
  [
    'ExternalName without IP fields',
    externalName,
    (s) => {
      s.spec!.clusterIPs = ['10.96.0.1'];
      s.spec!.ipFamilies = ['IPv4'];
      s.spec!.ipFamilyPolicy = 'SingleStack';
    },
    [
      'spec.clusterIPs: Forbidden: may not be set for ExternalName services',
      'spec.ipFamilies: Forbidden: may not be set for ExternalName services',
      'spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services',
    ],
  ],
  [
    'ExternalName with internalTrafficPolicy is tolerated, but not a bad one',
    externalName,
    (s) => (s.spec!.internalTrafficPolicy = 'Nearby'),
    ['spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"'],
  ],

  // clusterIPs / ipFamilies / ipFamilyPolicy
  [
    'clusterIPs required with clusterIP',
    clusterIP,
    (s) => delete s.spec!.clusterIPs,
    ['spec.clusterIPs: Required value'],
  ],
  [
    'clusterIPs[0] must match clusterIP',
    clusterIP,
    (s) => (s.spec!.clusterIPs = ['10.96.0.11']),
    ['spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: first value must match `clusterIP`'],
  ],
  [
    'clusterIPs without clusterIP',
    clusterIP,
    (s) => delete s.spec!.clusterIP,
    [
      'spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: must be empty when `clusterIP` is not specified',
    ],
  ],
  [
    'unknown family, duplicate family',
    dualStack,
    (s) => (s.spec!.ipFamilies = ['IPv5', 'IPv5']),
    [
      'spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"',
      'spec.ipFamilies[1]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"',
      'spec.ipFamilies[1]: Duplicate value: "IPv5"',
    ],
  ],
  [
    'unknown policy',
    clusterIP,
    (s) => (s.spec!.ipFamilyPolicy = 'DualStack'),
    [
      'spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"',
    ],
  ],
  [
    'None not alone',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = 'None';
      s.spec!.clusterIPs = ['None', '10.96.0.10'];
    },
    [
      'spec.clusterIPs: Invalid value: []string{"None", "10.96.0.10"}: \'None\' must be the first and only value',
    ],
  ],
  [
    'None not first',
    clusterIP,
    (s) => (s.spec!.clusterIPs = ['10.96.0.10', 'None']),
    [`spec.clusterIPs[1]: Invalid value: "None": ${IP_MSG}`],
  ],
  [
    'invalid clusterIP stops family checks',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = '10.96.0.300';
      s.spec!.clusterIPs = ['10.96.0.300'];
      s.spec!.ipFamilies = ['IPv6'];
    },
    [`spec.clusterIPs[0]: Invalid value: "10.96.0.300": ${IP_MSG}`],
  ],
  [
    'at most two clusterIPs',
    dualStack,
    (s) => s.spec!.clusterIPs!.push('10.96.0.11'),
    [
      'spec.clusterIPs: Invalid value: []string{"10.96.0.10", "fd00::10", "10.96.0.11"}: may only hold up to 2 values',
    ],
  ],
  [
    'one IP per family',
    dualStack,
    (s) => (s.spec!.clusterIPs = ['10.96.0.10', '10.96.0.11']),
    [
      'spec.clusterIPs: Invalid value: []string{"10.96.0.10", "10.96.0.11"}: may specify no more than one IP for each IP family',
      'spec.clusterIPs[1]: Invalid value: "10.96.0.11": expected an IPv6 value as indicated by `ipFamilies[1]`',
    ],
  ],
  [
    'IPv4 family with IPv6 IP',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = 'fd00::10';
      s.spec!.clusterIPs = ['fd00::10'];
    },
    ['spec.clusterIPs[0]: Invalid value: "fd00::10": expected an IPv4 value as indicated by `ipFamilies[0]`'],
  ],
  // 1.32 accepted leading zeros here; a new object no longer may (StrictIPCIDRValidation, 1.33):
  // libc reads 010 as octal, so the proxy bound 10.96.0.8 for it. Stored ones stay valid (see updates).
  [
    'IPv4 address with leading zeros is rejected in a new object',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = '010.096.000.010';
      s.spec!.clusterIPs = ['010.096.000.010'];
    },
    ['spec.clusterIPs[0]: Invalid value: "010.096.000.010": must not have leading 0s'],
  ],
  [
    'IPv4-mapped IPv6 clusterIP is rejected in a new object',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = '::ffff:10.96.0.10';
      s.spec!.clusterIPs = ['::ffff:10.96.0.10'];
    },
    ['spec.clusterIPs[0]: Invalid value: "::ffff:10.96.0.10": must not be an IPv4-mapped IPv6 address'],
  ],
  [
    'a non-canonical IPv6 clusterIP is still accepted (upstream only warns)',
    dualStack,
    (s) => (s.spec!.clusterIPs = ['10.96.0.10', 'FD00:0::10']),
    [],
  ],

  // externalIPs
  [
    'externalIPs',
    clusterIP,
    (s) => {
      s.spec!.externalIPs = ['192.0.2.10', '2001:db8::10'];
      s.spec!.externalTrafficPolicy = 'Cluster';
    },
    [],
  ],
  [
    'externalIPs with leading zeros',
    clusterIP,
    (s) => {
      s.spec!.externalIPs = ['192.0.2.010'];
      s.spec!.externalTrafficPolicy = 'Cluster';
    },
    ['spec.externalIPs[0]: Invalid value: "192.0.2.010": must not have leading 0s'],
  ],
  [
    'bad and special externalIPs',
    clusterIP,
    (s) => {
      s.spec!.externalIPs = ['bogus', '127.0.0.1', '0.0.0.0'];
      s.spec!.externalTrafficPolicy = 'Cluster';
    },
    [
      `spec.externalIPs[0]: Invalid value: "bogus": ${IP_MSG}`,
      'spec.externalIPs[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'spec.externalIPs[2]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    ],
  ],

  // load balancer fields
  [
    'loadBalancerSourceRanges only for LoadBalancer',
    nodePort,
    (s) => (s.spec!.loadBalancerSourceRanges = ['10.0.0.0/8']),
    ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  ],
  [
    'loadBalancerSourceRanges may be padded',
    loadBalancer,
    (s) => (s.spec!.loadBalancerSourceRanges = [' 10.0.0.0/8 ', '2001:db8::/32']),
    [],
  ],
  [
    'bad loadBalancerSourceRanges',
    loadBalancer,
    (s) => (s.spec!.loadBalancerSourceRanges = ['10.0.0.0/8', ' 10.0.0.0 ']),
    [`spec.LoadBalancerSourceRanges[1]: Invalid value: "10.0.0.0": ${CIDR_MSG}`],
  ],
  [
    'source ranges annotation',
    loadBalancer,
    (s) =>
      (s.metadata!.annotations = {
        'service.beta.kubernetes.io/load-balancer-source-ranges': '10.0.0.0/8, 1.2.3.4 ,x/1',
      }),
    [
      `metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: "1.2.3.4": ${CIDR_MSG}`,
      `metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: "x/1": ${CIDR_MSG}`,
    ],
  ],
  [
    'source ranges annotation only for LoadBalancer',
    clusterIP,
    (s) => (s.metadata!.annotations = { 'service.beta.kubernetes.io/load-balancer-source-ranges': ' ' }),
    [
      "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Forbidden: may only be used when `type` is 'LoadBalancer'",
    ],
  ],
  [
    'the field wins over the annotation',
    loadBalancer,
    (s) => {
      s.spec!.loadBalancerSourceRanges = ['10.0.0.0/8'];
      s.metadata!.annotations = { 'service.beta.kubernetes.io/load-balancer-source-ranges': 'junk' };
    },
    [],
  ],
  [
    'allocateLoadBalancerNodePorts only for LoadBalancer',
    nodePort,
    (s) => (s.spec!.allocateLoadBalancerNodePorts = false),
    ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  ],
  [
    'allocateLoadBalancerNodePorts required for LoadBalancer',
    loadBalancer,
    (s) => delete s.spec!.allocateLoadBalancerNodePorts,
    ['allocateLoadBalancerNodePorts: Required value'],
  ],
  [
    'LoadBalancer without node ports',
    loadBalancer,
    (s) => {
      s.spec!.allocateLoadBalancerNodePorts = false;
      delete s.spec!.ports![0]!.nodePort;
    },
    [],
  ],
  ['loadBalancerClass', loadBalancer, (s) => (s.spec!.loadBalancerClass = 'example.com/lb'), []],
  [
    'bad loadBalancerClass',
    loadBalancer,
    (s) => (s.spec!.loadBalancerClass = 'example.com/'),
    [
      'spec.loadBalancerClass: Invalid value: "example.com/": name part must be non-empty',
      `spec.loadBalancerClass: Invalid value: "example.com/": ${QNAME_NAME_PART}`,
    ],
  ],
  [
    'loadBalancerClass only for LoadBalancer',
    nodePort,
    (s) => (s.spec!.loadBalancerClass = 'example.com/lb'),
    ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  ],

  // traffic policies
  [
    'externalTrafficPolicy needs external access',
    clusterIP,
    (s) => (s.spec!.externalTrafficPolicy = 'Cluster'),
    [
      'spec.externalTrafficPolicy: Invalid value: "Cluster": may only be set for externally-accessible services',
    ],
  ],
  [
    'externalTrafficPolicy required for NodePort',
    nodePort,
    (s) => delete s.spec!.externalTrafficPolicy,
    ['spec.externalTrafficPolicy: Required value'],
  ],
  [
    'externalTrafficPolicy required with externalIPs',
    clusterIP,
    (s) => (s.spec!.externalIPs = ['192.0.2.10']),
    ['spec.externalTrafficPolicy: Required value'],
  ],
  [
    'externalTrafficPolicy supported',
    nodePort,
    (s) => (s.spec!.externalTrafficPolicy = 'Global'),
    ['spec.externalTrafficPolicy: Unsupported value: "Global": supported values: "Cluster", "Local"'],
  ],
  [
    'NodePort Local needs no health check port',
    nodePort,
    (s) => (s.spec!.externalTrafficPolicy = 'Local'),
    [],
  ],
  [
    'LoadBalancer Local needs a health check port',
    loadBalancer,
    (s) => (s.spec!.externalTrafficPolicy = 'Local'),
    ['spec.healthCheckNodePort: Required value'],
  ],
  [
    'LoadBalancer Local with health check port',
    loadBalancer,
    (s) => {
      s.spec!.externalTrafficPolicy = 'Local';
      s.spec!.healthCheckNodePort = 31000;
    },
    [],
  ],
  [
    'health check port out of range',
    loadBalancer,
    (s) => {
      s.spec!.externalTrafficPolicy = 'Local';
      s.spec!.healthCheckNodePort = 70000;
    },
    [`spec.healthCheckNodePort: Invalid value: 70000: ${PORT_RANGE}`],
  ],
  [
    'health check port only for LoadBalancer Local',
    nodePort,
    (s) => (s.spec!.healthCheckNodePort = 31000),
    [
      "spec.healthCheckNodePort: Invalid value: 31000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
    ],
  ],
  [
    'internalTrafficPolicy required',
    clusterIP,
    (s) => delete s.spec!.internalTrafficPolicy,
    ['spec.internalTrafficPolicy: Required value'],
  ],
  ['internalTrafficPolicy Local', clusterIP, (s) => (s.spec!.internalTrafficPolicy = 'Local'), []],
  [
    'internalTrafficPolicy supported',
    clusterIP,
    (s) => (s.spec!.internalTrafficPolicy = 'Node'),
    ['spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"'],
  ],
  ['trafficDistribution PreferClose', clusterIP, (s) => (s.spec!.trafficDistribution = 'PreferClose'), []],
  [
    'trafficDistribution only PreferClose in 1.32',
    clusterIP,
    (s) => (s.spec!.trafficDistribution = 'PreferSameZone'),
    ['spec.trafficDistribution: Unsupported value: "PreferSameZone": supported values: "PreferClose"'],
  ],
  ['publishNotReadyAddresses is free', headless, (s) => (s.spec!.publishNotReadyAddresses = true), []],
];

describe('validateService', () => {
  for (const [name, base, mutate, want] of createCases) {
    it(name, () => {
      const s = base();
      mutate(s);
      assert.deepEqual(strings(validateService(s)), want);
    });
  }
});

type UpdateCase = [
  name: string,
  base: () => Service,
  mutate: (s: Service, old: Service) => void,
  want: string[],
];

const updateCases: UpdateCase[] = [
  ['unchanged', clusterIP, () => {}, []],
  ['labels may change', clusterIP, (s) => (s.metadata!.labels = { tier: 'front' }), []],
  [
    'name immutable',
    clusterIP,
    (s) => (s.metadata!.name = 'web2'),
    ['metadata.name: Invalid value: "web2": field is immutable'],
  ],
  [
    'resourceVersion required',
    clusterIP,
    (s) => delete s.metadata!.resourceVersion,
    ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
  ],
  [
    'clusterIP may not change',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = '10.96.0.11';
      s.spec!.clusterIPs = ['10.96.0.11'];
    },
    ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set'],
  ],
  [
    'primary clusterIP may not be unset',
    clusterIP,
    (s) => {
      delete s.spec!.clusterIP;
      delete s.spec!.clusterIPs;
    },
    ['spec.clusterIPs[0]: Invalid value: []string(nil): primary clusterIP can not be unset'],
  ],
  [
    'upgrade to dual-stack',
    clusterIP,
    (s) => {
      s.spec!.clusterIPs = ['10.96.0.10', 'fd00::10'];
      s.spec!.ipFamilies = ['IPv4', 'IPv6'];
      s.spec!.ipFamilyPolicy = 'RequireDualStack';
    },
    [],
  ],
  [
    'upgrade may not change the primary',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = 'fd00::10';
      s.spec!.clusterIPs = ['fd00::10', '10.96.0.10'];
      s.spec!.ipFamilies = ['IPv6', 'IPv4'];
      s.spec!.ipFamilyPolicy = 'RequireDualStack';
    },
    [
      'spec.clusterIPs[0]: Invalid value: []string{"fd00::10", "10.96.0.10"}: may not change once set',
      'spec.ipFamilies[0]: Invalid value: []string{"fd00::10", "10.96.0.10"}: may not change once set',
    ],
  ],
  [
    'downgrade needs SingleStack',
    dualStack,
    (s) => {
      s.spec!.clusterIPs = ['10.96.0.10'];
      s.spec!.ipFamilies = ['IPv4'];
    },
    [
      'spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be set to \'SingleStack\' when releasing the secondary clusterIP',
      'spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be set to \'SingleStack\' when releasing the secondary ipFamily',
    ],
  ],
  [
    'downgrade with SingleStack',
    dualStack,
    (s) => {
      s.spec!.clusterIPs = ['10.96.0.10'];
      s.spec!.ipFamilies = ['IPv4'];
      s.spec!.ipFamilyPolicy = 'SingleStack';
    },
    [],
  ],
  [
    'ipFamilies may not change',
    clusterIP,
    (s) => (s.spec!.ipFamilies = ['IPv6']),
    [
      'spec.ipFamilies[0]: Invalid value: []core.IPFamily{"IPv6"}: may not change once set',
      'spec.clusterIPs[0]: Invalid value: "10.96.0.10": expected an IPv6 value as indicated by `ipFamilies[0]`',
    ],
  ],
  ['headless may change families', headless, (s) => (s.spec!.ipFamilies = ['IPv6']), []],
  [
    'ClusterIP to headless',
    clusterIP,
    (s) => {
      s.spec!.clusterIP = 'None';
      s.spec!.clusterIPs = ['None'];
    },
    ['spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set'],
  ],
  [
    'to ExternalName drops the IPs',
    clusterIP,
    (s) => {
      s.spec = { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' };
    },
    [],
  ],
  [
    'from ExternalName allocates IPs',
    externalName,
    (s) => {
      s.spec = clusterIP().spec;
    },
    [],
  ],
  [
    'NodePort to ClusterIP',
    nodePort,
    (s) => {
      delete s.spec!.ports![0]!.nodePort;
      delete s.spec!.externalTrafficPolicy;
      s.spec!.type = 'ClusterIP';
    },
    [],
  ],
  [
    'loadBalancerClass may not change',
    loadBalancer,
    (s, old) => {
      old.spec!.loadBalancerClass = 'example.com/a';
      s.spec!.loadBalancerClass = 'example.com/b';
    },
    ['spec.loadBalancerClass: Invalid value: "example.com/b": may not change once set'],
  ],
  [
    'loadBalancerClass may not be set later',
    loadBalancer,
    (s) => (s.spec!.loadBalancerClass = 'example.com/b'),
    ['spec.loadBalancerClass: Invalid value: "example.com/b": may not change once set'],
  ],
  [
    'loadBalancerClass may not be removed',
    loadBalancer,
    (_s, old) => (old.spec!.loadBalancerClass = 'example.com/a'),
    ['spec.loadBalancerClass: Invalid value: null: may not change once set'],
  ],
  [
    'loadBalancerClass set when becoming a LoadBalancer',
    nodePort,
    (s) => {
      s.spec!.type = 'LoadBalancer';
      s.spec!.allocateLoadBalancerNodePorts = true;
      s.spec!.loadBalancerClass = 'example.com/b';
    },
    [],
  ],
  [
    'healthCheckNodePort immutable while needed',
    loadBalancer,
    (s, old) => {
      old.spec!.externalTrafficPolicy = s.spec!.externalTrafficPolicy = 'Local';
      old.spec!.healthCheckNodePort = 31000;
      s.spec!.healthCheckNodePort = 31001;
    },
    ['spec.healthCheckNodePort: Forbidden: field is immutable'],
  ],
  [
    'a stored clusterIP with leading zeros stays valid (1.32 accepted it; strict validation ratchets)',
    clusterIP,
    (s, old) => {
      for (const o of [s, old]) {
        o.spec!.clusterIP = '010.096.000.010';
        o.spec!.clusterIPs = ['010.096.000.010'];
      }
      s.metadata!.labels = { tier: 'front' };
    },
    [],
  ],
  [
    'a stored externalIP with leading zeros may stay; a new one may not',
    clusterIP,
    (s, old) => {
      old.spec!.externalIPs = ['192.0.2.010'];
      s.spec!.externalIPs = ['192.0.2.011', '192.0.2.010'];
      old.spec!.externalTrafficPolicy = s.spec!.externalTrafficPolicy = 'Cluster';
    },
    ['spec.externalIPs[0]: Invalid value: "192.0.2.011": must not have leading 0s'],
  ],
  [
    'the new object is validated in full',
    clusterIP,
    (s) => (s.spec!.ports![0]!.port = 0),
    [`spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`],
  ],
];

describe('validateServiceUpdate', () => {
  for (const [name, base, mutate, want] of updateCases) {
    it(name, () => {
      const old = base();
      const s = base();
      mutate(s, old);
      assert.deepEqual(strings(validateServiceUpdate(s, old)), want);
    });
  }
});

const statusCases: UpdateCase[] = [
  [
    'LoadBalancer with IP ingress',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } }),
    [],
  ],
  [
    'LoadBalancer with hostname ingress',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } }),
    [],
  ],
  [
    'Proxy mode',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'Proxy' }] } }),
    [],
  ],
  [
    'ingress only for LoadBalancer',
    nodePort,
    (s) => (s.status = { loadBalancer: { ingress: [{ ip: 'bogus' }] } }),
    ["status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"],
  ],
  [
    'bad ingress IP',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ ip: '192.0.2', ipMode: 'VIP' }] } }),
    [`status.loadBalancer.ingress[0].ip: Invalid value: "192.0.2": ${IP_MSG}`],
  ],
  [
    'ingress IP with leading zeros',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ ip: '192.0.2.01', ipMode: 'VIP' }] } }),
    ['status.loadBalancer.ingress[0].ip: Invalid value: "192.0.2.01": must not have leading 0s'],
  ],
  [
    'a stored ingress IP with leading zeros may stay',
    loadBalancer,
    (s, old) => {
      old.status = { loadBalancer: { ingress: [{ ip: '192.0.2.01', ipMode: 'VIP' }] } };
      s.status = { loadBalancer: { ingress: [{ ip: '192.0.2.01', ipMode: 'Proxy' }] } };
    },
    [],
  ],
  [
    'ipMode required with ip',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } }),
    ['status.loadBalancer.ingress[0].ipMode: Required value: must be specified when `ip` is set'],
  ],
  [
    'ipMode needs ip',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ hostname: 'lb.example.com', ipMode: 'VIP' }] } }),
    ['status.loadBalancer.ingress[0].ipMode: Forbidden: may not be specified when `ip` is not set'],
  ],
  [
    'ipMode supported',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'DSR' }] } }),
    ['status.loadBalancer.ingress[0].ipMode: Unsupported value: "DSR": supported values: "Proxy", "VIP"'],
  ],
  [
    'hostname not an IP',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ hostname: '192.0.2.1' }] } }),
    [
      'status.loadBalancer.ingress[0].hostname: Invalid value: "192.0.2.1": must be a DNS name, not an IP address',
    ],
  ],
  [
    'hostname a DNS subdomain',
    loadBalancer,
    (s) => (s.status = { loadBalancer: { ingress: [{ hostname: 'LB_1' }] } }),
    [`status.loadBalancer.ingress[0].hostname: Invalid value: "LB_1": ${DNS1123_SUBDOMAIN}`],
  ],
  [
    'metadata rules apply',
    loadBalancer,
    (s) => (s.metadata!.uid = 'changed'),
    ['metadata.uid: Invalid value: "changed": field is immutable'],
  ],
  ['spec is not validated here', loadBalancer, (s) => (s.spec!.ports![0]!.port = 0), []],
];

describe('validateServiceStatusUpdate', () => {
  for (const [name, base, mutate, want] of statusCases) {
    it(name, () => {
      const old = base();
      const s = base();
      mutate(s, old);
      assert.deepEqual(strings(validateServiceStatusUpdate(s, old)), want);
    });
  }
});
