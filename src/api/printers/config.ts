/** ConfigMap, Secret and ServiceAccount rows: upstream printConfigMap, printSecret, printServiceAccount. */
import type { ConfigMap, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, NAME_COLUMN } from './columns.js';
import { translateTimestampSince } from './duration.js';
import type { TableConvertor } from './types.js';

// SwaggerDoc of the fields the columns count (k8s.io/api core/v1).
const configMapDataDoc =
  "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";
const secretTypeDoc =
  'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types';
const secretDataDoc =
  "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4";
const serviceAccountSecretsDoc =
  'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret';

const count = (m: Record<string, unknown> | undefined): number => Object.keys(m ?? {}).length;

export const configMapConvertor: TableConvertor = {
  columns: [NAME_COLUMN, column('Data', 'string', configMapDataDoc), AGE_COLUMN],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const cm = obj as ConfigMap;
    return [
      [
        cm.metadata?.name ?? '',
        count(cm.data) + count(cm.binaryData),
        translateTimestampSince(cm.metadata?.creationTimestamp, now),
      ],
    ];
  },
};

export const secretConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', secretTypeDoc),
    column('Data', 'string', secretDataDoc),
    AGE_COLUMN,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const s = obj as Secret;
    return [
      [
        s.metadata?.name ?? '',
        s.type ?? '',
        count(s.data),
        translateTimestampSince(s.metadata?.creationTimestamp, now),
      ],
    ];
  },
};

export const serviceAccountConvertor: TableConvertor = {
  columns: [NAME_COLUMN, column('Secrets', 'string', serviceAccountSecretsDoc), AGE_COLUMN],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const sa = obj as ServiceAccount;
    return [
      [
        sa.metadata?.name ?? '',
        (sa.secrets ?? []).length,
        translateTimestampSince(sa.metadata?.creationTimestamp, now),
      ],
    ];
  },
};
