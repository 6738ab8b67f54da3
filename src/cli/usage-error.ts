import { HallmonitorError } from '../errors/hallmonitor-error.js';
/** Bad options or unreadable input: the CLI prints the message on one line and exits 2 (docs/architecture.md, "hallmonitor scan"). */
export class UsageError extends HallmonitorError {
  readonly code = 'usage';
  readonly disposition = 'permanent';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
