/**
 * What every controller in `svcnet controller-manager` gets and exposes. A
 * controller registers informer handlers in its constructor, then `start()`
 * begins its workers once the informers it reads have synced.
 */
import type { EventSink } from '../client/events.js';
import type { SharedInformerFactory } from '../client/informer.js';
import type { ApiClient } from '../client/types.js';
import type { Logger } from '../lib/log.js';

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
