/** core/v1 Events (upstream pkg/registry/core/event). */
import type { Event } from 'kubernetes-types/core/v1.js';
import { setEventDefaults } from '../defaults/event.js';
import { validateEvent, validateEventUpdate } from '../validation/event.js';
import type { Strategy } from './strategy.js';

export const eventStrategy: Strategy<Event> = {
  defaults: setEventDefaults,
  validate: validateEvent,
  validateUpdate: validateEventUpdate,
};
