/**
 * Allocator failures with upstream's messages (ipallocator/interfaces.go,
 * portallocator/allocator.go); `code` lets callers branch without matching text.
 */
import { SvcnetError } from '../lib/errors.js';
export type AllocatorErrorCode = 'Full' | 'Allocated' | 'NotInRange';

export class AllocatorError extends SvcnetError<AllocatorErrorCode> {
  constructor(code: AllocatorErrorCode, message: string) {
    super(code, message);
  }
}

export const isAllocatorError = (err: unknown, code?: AllocatorErrorCode): err is AllocatorError =>
  err instanceof AllocatorError && (code === undefined || err.code === code);

export const allocatorErrors = {
  full: () => new AllocatorError('Full', 'range is full'),
  ipAllocated: () => new AllocatorError('Allocated', 'provided IP is already allocated'),
  ipNotInRange: (ip: string, cidr: string) =>
    new AllocatorError(
      'NotInRange',
      `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`,
    ),
  portAllocated: () => new AllocatorError('Allocated', 'provided port is already allocated'),
  portNotInRange: (range: string) =>
    new AllocatorError(
      'NotInRange',
      `provided port is not in the valid range. The range of valid ports is ${range}`,
    ),
};
