import { progress } from '../progress';
import type { RunOutcome, SweepEntry, SweepRecord } from './sweep-record';

/** How a run ended, in words: "done in 2.1 min: classifier 12.34 (target share 91.0%)", or "failed: …". */
export function describeOutcome(o: Pick<RunOutcome, 'status' | 'minutes' | 'metric' | 'test' | 'details' | 'error'>): string {
  if (o.status === 'failed') return `failed after ${o.minutes.toFixed(1)} min: ${o.error}`;
  if (o.status === 'interrupted') return 'interrupted';
  const share = o.details.targetShare !== undefined ? ` (target share ${(100 * o.details.targetShare).toFixed(1)}%)` : '';
  const metric = o.metric && o.test !== null ? `: ${o.metric} ${o.test.toFixed(2)} on the test split${share}` : '';
  return `done in ${o.minutes.toFixed(1)} min${metric}`;
}

/**
 * Progress over all runs: a bar in a terminal (ended runs of all, with counts), plain lines elsewhere, one per run
 * that starts or ends.
 */
export function sweepProgress(record: SweepRecord, stream: NodeJS.WriteStream = process.stderr): { update: (entry: SweepEntry, outcome?: RunOutcome) => void; stop: () => void } {
  const total = record.runs.length;
  const ended = () => record.runs.filter((r) => r.status === 'done' || r.status === 'failed').length;
  const bar = progress('sweep', total, { stream: stream as typeof process.stderr, every: 1, start: ended() });
  const fields = () => {
    const c = record.counts();
    return { done: c.done, failed: c.failed, running: c.running };
  };
  return {
    update: (entry, outcome) => {
      if (!stream.isTTY) {
        const what = outcome ? describeOutcome(outcome) : entry.status === 'failed' ? `failed: ${entry.error}` : entry.status === 'running' ? `running on ${entry.worker ?? 'a worker'}` : 'waiting';
        stream.write(`run ${entry.id}: ${what}\n`);
        if (entry.status !== 'done' && entry.status !== 'failed') return;
      }
      bar.update(ended(), fields());
    },
    stop: () => bar.stop(),
  };
}
