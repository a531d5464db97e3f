import { releaseBackend } from '../backend-option';
import { main } from '../program';

// A sweep's run: `not <command> …` in a process of its own, started by a worker (or `not sweep`) with an IPC channel.
// When that parent dies (even by SIGKILL) the channel closes, and the run stops at once: its job goes back to the
// queue and resumes from the last checkpoint elsewhere, so it must not go on writing the same folder here.
process.on('disconnect', () => process.exit(129));
// The channel alone must not keep the run alive once it has finished.
(process.channel as { unref?: () => void } | undefined)?.unref?.();

main(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`not: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    // As bin.ts: free the backend's device, then leave (nothing left open keeps the run's process alive).
    releaseBackend();
    process.exit();
  });
