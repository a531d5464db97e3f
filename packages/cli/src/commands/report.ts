import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../files/atomic-write';
import { reportHtml } from '../report/report-html';
import { readRunRecord } from '../report/run-record';
import { sweepHtml } from '../report/sweep-html';
import { SWEEP_FILES, readSweepFile } from '../sweep/sweep-record';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report of a run (curves, sample grids, events, timings, configuration) or of a sweep (runs ranked, metric by flag, grids)')
    .argument('<run>', 'a run directory of not train or not stack, or a sweep directory of not sweep')
    .option('--out <file>', 'where to write the report (default: <run>/report.html)')
    .action((run: string, opts: { out?: string }) => {
      const out = opts.out ?? join(run, 'report.html');
      // A sweep's folder holds sweep.json (and its runs below): the sweep page.
      const sweep = join(run, SWEEP_FILES.record);
      writeFileAtomic(out, existsSync(sweep) ? sweepHtml(readSweepFile(sweep), run) : reportHtml(readRunRecord(run)));
      process.stderr.write(`wrote ${out}\n`);
    });
}
