/** ConfigMaps, Secrets and ServiceAccounts (upstream pkg/registry/core/{configmap,secret,serviceaccount}). */
import type { ConfigMap, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { setSecretDefaults } from '../defaults/config.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateSecret,
  validateSecretUpdate,
  validateServiceAccount,
  validateServiceAccountUpdate,
} from '../validation/config.js';
import type { Strategy } from './strategy.js';

export const configMapStrategy: Strategy<ConfigMap> = {
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
};

export const secretStrategy: Strategy<Secret> = {
  defaults: setSecretDefaults,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
};

export const serviceAccountStrategy: Strategy<ServiceAccount> = {
  validate: validateServiceAccount,
  validateUpdate: validateServiceAccountUpdate,
};
