import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../files/atomic-write';
import { reportHtml } from '../report/report-html';
import { readRunRecord } from '../report/run-record';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report of a run: curves, sample grids, events, timings, configuration')
    .argument('<run>', 'a run directory of not train or not stack')
    .option('--out <file>', 'where to write the report (default: <run>/report.html)')
    .action((run: string, opts: { out?: string }) => {
      const out = opts.out ?? join(run, 'report.html');
      writeFileAtomic(out, reportHtml(readRunRecord(run)));
      process.stderr.write(`wrote ${out}\n`);
    });
}
