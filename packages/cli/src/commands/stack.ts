import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { StageReport } from '@not/stacking';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { integer, number } from '../parse';
import { progress, type Progress } from '../progress';
import { stopOnInterrupt } from '../stop-on-interrupt';
import { TRAIN_COSTS, type TrainPreset, presetFor } from '../train/train-config';
import { PUSHFORWARD_MODES, STACK_INITS, type StackFlags } from '../stack/stack-config';
import { STACK_FILES, type StackSummary, runStacking } from '../stack/stack-run';
import { addGuardOptions, guardFromFlags } from './guard-options';
import { addTrainOptions, trainFlags } from './train-options';

export function registerStack(program: Command): void {
  addGuardOptions(addTrainOptions(program.command('stack').description('stacking: train NOT maps one after another, each carrying the last one\'s output to the target; keep the best depth'), true))
    .option('--stages <K>', 'stages to train at most (default 3; a --first run counts as stage 1)', integer('--stages', 1))
    .addOption(new Option('--init <how>', "how each new stage's map starts: fresh (as the stacking studies), previous (a copy of the last stage, potential too), identity (fitted to x ↦ x)").choices([...STACK_INITS]))
    .option('--margin <m>', 'relative improvement of the --select-by metric a stage must bring for the next to be trained (default 0.01)', number('--margin'))
    .addOption(new Option('--final-cost <cost>', 'cost of the last stage (default: --cost), e.g. weak only at the end').choices([...TRAIN_COSTS]))
    .option('--first <run>', 'a `not train` run directory whose best map is stage 1, frozen as it is')
    .addOption(new Option('--pushforward <how>', 'how a stage draws from the previous stages\' output: cached once when that takes fewer forward passes (auto), or always on the fly').choices([...PUSHFORWARD_MODES]))
    .option('--out <dir>', `run directory (${STACK_FILES.stack}, ${STACK_FILES.stages}/, ${STACK_FILES.summary}, ${STACK_FILES.grid}, …)`, join('runs', 'stack'))
    .option('--resume', 'continue the run in --out from its last checkpoint (mid-stage included); flags left out keep their stored values, and any flag given, and the --first run\'s content, must ask for the same run (only --stages, --stage-steps before a trained stage ends, the intervals, --backend and --threads may change)')
    .option('--restart', "start afresh: delete the run's own files in --out (when it holds a `not stack` run) and stack from the start")
    .option('--json', 'print the summary as one JSON line at the end (progress goes to stderr)')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      const backend = await selectBackend(opts);
      const preset: TrainPreset = opts.preset ?? presetFor(backend);
      if (!opts.preset && preset === 'reference') process.stderr.write(`reference preset: ${backend.name} runs on a GPU (--preset cpu for the small one)\n`);
      const flags: StackFlags = {
        ...trainFlags(opts),
        stageCount: opts.stages,
        init: opts.init,
        margin: opts.margin,
        finalCost: opts.finalCost,
        first: opts.first,
        pushforward: opts.pushforward,
      };
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const interrupt = stopOnInterrupt(log);
      let bar: Progress | undefined;
      try {
        const { summary, interrupted } = await runStacking({
          flags,
          preset,
          out: opts.out,
          resume: Boolean(opts.resume),
          restart: Boolean(opts.restart),
          environment: { backend: backend.name, threads: opts.threads },
          log: (line) => {
            bar?.stop();
            log(line);
          },
          onStageStart: (s) => {
            const init = s.step > 0 ? `resumed at step ${s.step}` : s.init === 'identity' ? 'fitting the map to x ↦ x first' : `${s.init} start`;
            log(`stage ${s.stage} of at most ${s.stages}: ${init}, push-forward ${s.pushforward}`);
            bar = progress(`stage ${s.stage}`, s.steps, { start: s.step });
          },
          onStep: (_stage, m) => bar?.update(m.step, { 'T loss': m.mapLoss, 'f loss': m.potentialLoss, 'steps/s': 1 / m.seconds }),
          onEvaluate: (at, e) => {
            if (at.stage === 0) log(`the source as it is (depth 0): metric ${e.value.toFixed(2)}`);
          },
          signal: interrupt.signal,
          guard: guardFromFlags(opts),
          recompute: opts.recomputeActivations,
          microBatch: opts.microBatch,
        });
        bar?.stop();
        if (interrupted) log(`stopped; resume with --resume --out ${opts.out}`);
        else process.stderr.write(`\n${summaryTable(summary)}\n${summary.test ? `${testLine(summary)}\n` : ''}the selected stack (depth ${summary.depth}) is ${join(opts.out, STACK_FILES.stack)}; translate with: not translate --checkpoint ${opts.out} --input <spec>\n`);
        if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, interrupted, ...summary })}\n`);
      } finally {
        bar?.stop();
        interrupt.release();
      }
    });
}

/** The selected stack's figures on the test split, in words. */
function testLine({ metric, depth, test }: StackSummary): string {
  const share = test?.details?.targetShare;
  return `the selected stack (depth ${depth}, chosen on the validation split), on the test split: ${metric} ${test?.value.toFixed(2)}${share === undefined ? '' : `, target-class share ${(100 * share).toFixed(1)}%`}`;
}

/** The summary as a text table, on the validation split: one row per depth (0: the source as it is). */
export function summaryTable(summary: StackSummary): string {
  const header = ['stage', 'init', 'steps', `${summary.metric} (validation)`, 'target share', 'cost (x→stack)', 'selected'];
  const row = (r: Partial<StageReport> & { stage: number }) => [
    String(r.stage),
    r.init ?? 'source',
    String(r.steps ?? 0),
    r.value != null ? r.value.toFixed(2) : '–',
    r.details?.targetShare !== undefined ? `${(100 * r.details.targetShare).toFixed(1)}%` : '–',
    r.details?.cost !== undefined ? r.details.cost.toFixed(4) : '–',
    r.selected ? '✓' : '',
  ];
  const rows = [header, ...(summary.source ? [row({ stage: 0, ...summary.source })] : []), ...summary.stages.map(row)];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}
