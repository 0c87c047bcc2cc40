/** The `svcnet` command: parses the command line (./program.ts) and runs it. */
import { errText } from '../lib/errors.js';
import { program } from './program.js';

// Commands resolve when they are done (`up` after a clean shutdown): exit then, whatever handles remain.
program()
  .parseAsync(process.argv)
  .then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      console.error(`error: ${errText(err)}`);
      process.exit(1);
    },
  );
