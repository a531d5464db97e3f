import { Option } from 'commander';
import { type BackendReport, BACKEND_REQUESTS, type BackendRequest, describeBackend, useBackend } from '@not/backends';

/** `--backend <name>`, shared by every command that computes. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'TensorFlow.js backend').choices([...BACKEND_REQUESTS]).default('auto');
}

/** Selects the backend and says which one on stderr (stdout stays clean for --json). */
export async function selectBackend(name: string): Promise<BackendReport> {
  const report = await useBackend(name as BackendRequest);
  process.stderr.write(`${describeBackend(report)}\n`);
  return report;
}
