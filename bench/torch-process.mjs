// The PyTorch side of the benchmarks: one bench/torch_side.py process, asked one JSON request per line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Starts torch_side.py: ask(request) → its JSON answer, or { skip } when the process cannot run or has exited. */
export function startTorch() {
  const python = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const child = spawn(python, [join(here, 'torch_side.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = new Promise((resolve) => child.on('error', (error) => resolve({ error: error.message })));
  const ask = async (request) => {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    const next = await Promise.race([lines.next(), failed]);
    if (next.error || next.done) return { skip: next.error ?? `${python} bench/torch_side.py exited (is torch installed?)` };
    return JSON.parse(next.value);
  };
  return { ask, stop: () => child.stdin.end() };
}
