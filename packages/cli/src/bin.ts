#!/usr/bin/env node
import { releaseBackend } from './backend-option';
import { main } from './program';

main(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`not: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  // The command is done: free the GPU device (Dawn can keep Node running while WebGPU is reachable).
  .finally(releaseBackend);
