import { Option } from 'commander';
import { type BackendReport, BACKEND_REQUESTS, type BackendRequest, describeBackend, useBackend } from '@not/backends';
import { integer } from './parse';

/** `--backend <name>`, shared by every command that computes. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'TensorFlow.js backend').choices([...BACKEND_REQUESTS]).default('auto');
}

/** `--threads <n>`, next to --backend: wasm's CPU threads in Node. */
export function threadsOption(): Option {
  return new Option('--threads <n>', 'CPU threads for the wasm backend (default: every core, at most 8)').argParser(
    integer('--threads', 1),
  );
}

let selected: BackendReport | undefined;

/** Selects the backend and says which one on stderr (stdout stays clean for --json). */
export async function selectBackend(opts: { backend: string; threads?: number }): Promise<BackendReport> {
  const report = await useBackend(opts.backend as BackendRequest, { threads: opts.threads });
  process.stderr.write(`${describeBackend(report)}\n`);
  selected = report;
  return report;
}

/** Releases the backend a command selected (webgpu: its device, so that the process can exit); once it is done. */
export function releaseBackend(): void {
  selected?.release();
  selected = undefined;
}
