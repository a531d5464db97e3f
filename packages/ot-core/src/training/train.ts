import { type Divergence, DivergenceGuard, type DivergenceGuardOptions } from '../solver/divergence-guard';
import type { SolverProgress, StepReport } from '../solver/step-report';
import { checkInteger } from '../checks';
import { disposeStateDict } from '../state-dict';
import { type CheckpointStore, MemoryCheckpointStore } from './checkpoint-store';
import type { DivergenceEvent, GuardEvent } from './guard-events';
import { nextTurn } from './next-turn';
import type { Trainable } from './trainable';

/** Options of {@link train}. */
export interface TrainOptions {
  /** The run's length in outer steps: a solver at step s (say, resumed) takes `steps − s` more. */
  steps: number;
  /**
   * Judges every step for divergence and mode collapse: a guard, its options, or false for none. Default: a
   * DivergenceGuard with its default settings. A diverged step is undone: the solver goes back to the last
   * checkpoint with lower learning rates, and the lost steps are run again.
   */
  guard?: DivergenceGuard | DivergenceGuardOptions | false;
  /** Where checkpoints go. Default: in memory, where only a rollback reads them. */
  store?: CheckpointStore<SolverProgress>;
  /**
   * Steps between checkpoints (default 10; Infinity for none in between). The loop also checkpoints before its first
   * step, when stopped by `signal`, and at its end.
   */
  checkpointEvery?: number;
  /** Evaluation: `run` is called after every `every` steps and after the last one, before that step's checkpoint. */
  evaluate?: TrainEvaluation;
  /** Stops the run after the step in progress (which is kept, evaluated and checkpointed when due). */
  signal?: AbortSignal;
  /** After every step kept (a step undone by the guard is not reported). */
  onStep?: (report: StepReport) => void | Promise<void>;
  /** Every divergence undone and mode collapse seen. */
  onEvent?: (event: GuardEvent) => void | Promise<void>;
}

/** An evaluation hook of {@link train}. */
export interface TrainEvaluation {
  /** Steps between evaluations (a positive integer); the last step is evaluated too. */
  every: number;
  /** Evaluates the solver as it stands after `step` (1-based). */
  run: (step: number) => void | Promise<void>;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** The reports of the steps kept, in order. */
  reports: StepReport[];
  /** Whether `signal` stopped the run before `steps`. */
  interrupted: boolean;
}

/**
 * The training loop every NOT training runs on (NeuralOT.fit, each stage of trainStack, `not train`, `not stack`):
 * outer steps until `steps`, with the divergence guard's rollbacks, checkpoints, evaluations and callbacks. Between
 * steps it yields to the event loop; a step reads the device once, for its losses.
 */
export async function train(solver: Trainable, options: TrainOptions): Promise<TrainResult> {
  const { steps, signal, onStep, onEvent, evaluate } = options;
  checkInteger('train', 'steps', steps, { min: 0 });
  const checkpointEvery = options.checkpointEvery ?? 10;
  if (checkpointEvery !== Infinity) checkInteger('train', 'checkpointEvery', checkpointEvery, { min: 1 });
  if (evaluate) checkInteger('train', 'evaluate.every', evaluate.every, { min: 1 });
  const guard = options.guard === false ? null : options.guard instanceof DivergenceGuard ? options.guard : new DivergenceGuard(options.guard);
  const ownStore = options.store ? null : new MemoryCheckpointStore<SolverProgress>();
  const store = options.store ?? ownStore!;
  let savedStep = -1;
  const checkpoint = async () => {
    await store.save({ tensors: solver.stateDict(), state: solver.progress() });
    savedStep = solver.step;
  };
  let reports: StepReport[] = [];
  try {
    await checkpoint();
    while (solver.step < steps && !signal?.aborted) {
      const report = await solver.trainStep();
      const divergence = guard?.inspect(report);
      if (guard && divergence) {
        const event = await rollBack(solver, store, guard, divergence);
        reports = reports.filter((r) => r.step <= event.restoredStep);
        await onEvent?.(event);
        continue;
      }
      reports.push(report);
      await onStep?.(report);
      const collapse = guard?.collapse(report);
      if (collapse) await onEvent?.({ kind: 'collapse', ...collapse });
      const done = report.step >= steps;
      if (evaluate && (done || report.step % evaluate.every === 0)) await evaluate.run(report.step);
      if (report.step % checkpointEvery === 0) await checkpoint();
      await nextTurn();
    }
    // The end, or a stop by the signal: the last step gets its checkpoint (unless the interval just gave it one).
    if (savedStep !== solver.step) await checkpoint();
    return { reports, interrupted: solver.step < steps };
  } finally {
    ownStore?.dispose();
  }
}

/** Takes the solver back to the store's last checkpoint with the learning rates lowered by the guard's factor. */
async function rollBack(
  solver: Trainable,
  store: CheckpointStore<SolverProgress>,
  guard: DivergenceGuard,
  divergence: Divergence,
): Promise<DivergenceEvent> {
  const saved = await store.load();
  if (!saved) throw new Error(`train: step ${divergence.step} diverged (${divergence.reason}), but the store holds no checkpoint to go back to`);
  try {
    guard.rolledBack(saved.state.step, divergence);
    const scale = solver.learningRateScale * guard.lrFactor;
    solver.loadState(saved.tensors, saved.state);
    solver.setLearningRateScale(scale);
    return { kind: 'divergence', ...divergence, restoredStep: solver.step, learningRateScale: scale };
  } finally {
    disposeStateDict(saved.tensors);
  }
}
