#!/usr/bin/env node
import { main } from './program';

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`not: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
