// The seeds benchmark at tiny sizes (2 steps, tiny networks): the table, the JSON, the Markdown and the pictures it
// writes agree with the seed folders and with what run.mjs's own `not eval` printed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tiny = ['--steps', '2', '--eval-every', '2', '--stage-steps', '1', '--stages', '2', '--base', '4', '--filters', '4', '--max-filters', '8', '--batch-size', '4', '--t-iters', '1', '--backend', 'wasm'];

test('seeds.mjs --help says how to call it', () => {
  const { status, stdout } = spawnSync(process.execPath, [join(here, 'seeds.mjs'), '--help'], { encoding: 'utf8' });
  assert.equal(status, 0);
  assert.match(stdout, /--seeds N/);
  assert.match(stdout, /--same-steps/);
});

test('seeds.mjs rejects a bad --seeds and a --seed for run.mjs, naming the flag', () => {
  const bad = spawnSync(process.execPath, [join(here, 'seeds.mjs'), '--seeds', '0'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--seeds must be an integer >= 1, got "0"/);
  const seed = spawnSync(process.execPath, [join(here, 'seeds.mjs'), '--', '--seeds', '1', '--', '--seed', '3'], { encoding: 'utf8' });
  assert.equal(seed.status, 1);
  assert.match(seed.stderr, /must not hold --seed or --out/);
});

test('two tiny seeds: table, results.json, results.md and one grid per seed', { timeout: 170_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seeds-bench-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const results = join(dir, 'results');
  // pnpm passes its own '--' first: the script must take it as pnpm's.
  const args = [join(here, 'seeds.mjs'), '--', '--seeds', '2', '--out', join(dir, 'out'), '--results', results, '--', ...tiny];
  const { status, stdout, stderr } = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(status, 0, stderr);

  const json = JSON.parse(readFileSync(join(results, 'results.json'), 'utf8'));
  assert.deepEqual(json.seeds, [0, 1]); // 0: `not train`'s default seed, the one `pnpm start` runs
  assert.deepEqual(json.rows.map((r) => r.seed), [0, 1]);
  for (const row of json.rows) {
    const folder = join(dir, 'out', `seed-${row.seed}`);
    assert.equal(row.folder, folder);
    assert.match(stdout, new RegExp(`seed ${row.seed}: one map .*% shoes .* min`)); // the progress line
    for (const figures of [row.oneMap, row.stacked]) {
      assert.equal(figures.split, 'test');
      assert.ok(figures.share >= 0 && figures.share <= 1);
      assert.ok(figures.frechet > 0 && Number.isFinite(figures.frechet));
      assert.ok(figures.cost > 0 && Number.isFinite(figures.cost));
    }
    assert.ok(row.minutes > 0);
    // The one map's figures are those run.mjs's own `not eval` of run/best printed (its text form, not the JSON).
    const log = readFileSync(join(folder, 'run.log'), 'utf8');
    assert.equal(Number(/^ +classifier FD +([\d.]+)$/m.exec(log)[1]), Number(row.oneMap.frechet.toFixed(3)));
    assert.equal(Number(/^ +target-class share +([\d.]+)% \(classes/m.exec(log)[1]), Number((100 * row.oneMap.share).toFixed(1)));
    assert.equal(Number(/^ +cost ‖x − T\(x\)‖²\/D +([\d.]+)$/m.exec(log)[1]), Number(row.oneMap.cost.toFixed(4)));
    const summary = JSON.parse(readFileSync(join(folder, 'stack', 'summary.json'), 'utf8'));
    assert.equal(row.depth, summary.depth);
    // At depth 1 the stack is the one map itself.
    if (summary.depth === 1) assert.equal(row.stacked.frechet, row.oneMap.frechet);
    // The committed pictures are the seed's translated grid and stack picture, byte for byte.
    const grid = readFileSync(join(results, `seed-${row.seed}.png`));
    assert.deepEqual(grid.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    assert.deepEqual(grid, readFileSync(join(folder, 'translated', 'grid.png')));
    assert.deepEqual(readFileSync(join(results, `seed-${row.seed}-stack.png`)), readFileSync(join(folder, 'stack', 'stages.png')));
  }

  // Median of two: their mean; worst: the lower share, the higher FD, cost and minutes.
  const [a, b] = json.rows;
  assert.equal(json.median.oneMapFrechet, (a.oneMap.frechet + b.oneMap.frechet) / 2);
  assert.equal(json.median.stackedShare, (a.stacked.share + b.stacked.share) / 2);
  assert.equal(json.worst.oneMapShare, Math.min(a.oneMap.share, b.oneMap.share));
  assert.equal(json.worst.stackedFrechet, Math.max(a.stacked.frechet, b.stacked.frechet));
  assert.equal(json.worst.minutes, Math.max(a.minutes, b.minutes));
  const finals = [a.stacked.share, b.stacked.share];
  assert.equal(json.goal.everyStacked, finals.every((s) => s >= 0.9));
  assert.equal(json.goal.median, (finals[0] + finals[1]) / 2 >= 0.95);
  assert.equal(json.goal.everyMinutes, a.minutes <= 15 && b.minutes <= 15);

  // The Markdown is the printed table: header, one row per seed, median, worst, the goal line.
  const md = readFileSync(join(results, 'results.md'), 'utf8');
  assert.ok(stdout.includes(md.trimEnd()));
  const lines = md.split('\n').filter((l) => l.startsWith('|'));
  assert.equal(lines.length, 2 + 2 + 2);
  assert.match(lines[0], /^\| seed \| shoes, one map \| FD, one map \| shoes, stacked \| FD, stacked \|/);
  assert.match(lines[2], new RegExp(`^\\| 0 \\| ${(100 * a.oneMap.share).toFixed(1)}% \\| ${a.oneMap.frechet.toFixed(1)} \\|`));
  assert.match(lines[4], /^\| median \|/);
  assert.match(lines[5], new RegExp(`^\\| worst \\| .* \\| ${json.worst.minutes.toFixed(1)} \\|$`));
  assert.match(md, /Goal: .* every seed ≥ 90\.0% stacked .* median ≥ 95\.0% .* every run ≤ 15 min → (met|not met)/);
});
