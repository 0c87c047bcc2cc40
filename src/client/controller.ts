/**
 * What every controller in `svcnet controller-manager` gets and exposes. A
 * controller registers informer handlers in its constructor, then `start()`
 * begins its workers once the informers it reads have synced.
 */

import type { Logger } from '../lib/log.js';
import type { EventSink } from './events.js';
import type { SharedInformerFactory } from './informer.js';
import type { ApiClient } from './types.js';

export interface ControllerContext {
  client: ApiClient;
  informers: SharedInformerFactory;
  events: EventSink;
  log: Logger;
}

export interface Controller {
  readonly name: string;
  /** Starts workers; resolves once the controller's informers have synced. */
  start(): Promise<void>;
  /** Stops workers and timers; in-flight API calls may finish. */
  stop(): void;
}
