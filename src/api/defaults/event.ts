/**
 * core/v1 Event has no defaulting functions upstream (pkg/apis/core/v1 sets
 * none for Event or its fields); this exists so every kind has the same hook.
 * Fields such as count or firstTimestamp are filled by the event recorder
 * (client side), not the apiserver.
 */
import type { Event } from 'kubernetes-types/core/v1.js';

export function setEventDefaults(_ev: Event): void {}
