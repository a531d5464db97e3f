import { cloneStateDict, disposeStateDict } from '../state-dict';
import type { StateDict } from '../types';

/** A checkpoint: named tensors, and the JSON-serializable state that goes with them. */
export interface Checkpoint<S = unknown> {
  /** The weights and optimizer state, by name. */
  tensors: StateDict;
  /** Everything else needed to resume (step counts, random-stream positions, …), as JSON. */
  state: S;
}

/**
 * Where a training keeps its checkpoints: in memory (tests, browsers, rollbacks), files (the CLI), or a stack run's
 * store. `save` must be atomic: an interrupted save leaves the previous checkpoint intact.
 */
export interface CheckpointStore<S = unknown> {
  /** The last checkpoint saved, or null; the caller owns (and disposes) its tensors. */
  load(): Promise<Checkpoint<S> | null>;
  /** Saves a checkpoint; its tensors are live (not copies), so the store copies or writes out what it keeps. */
  save(checkpoint: Checkpoint<S>): Promise<void>;
}

/** A {@link CheckpointStore} in memory: keeps copies of the last checkpoint. */
export class MemoryCheckpointStore<S = unknown> implements CheckpointStore<S> {
  private last: Checkpoint<S> | null = null;

  async load(): Promise<Checkpoint<S> | null> {
    return this.last && copyCheckpoint(this.last);
  }

  async save(checkpoint: Checkpoint<S>): Promise<void> {
    const copy = copyCheckpoint(checkpoint);
    this.dispose();
    this.last = copy;
  }

  /** Frees the kept checkpoint's tensors; load() then returns null until the next save. */
  dispose(): void {
    if (this.last) disposeStateDict(this.last.tensors);
    this.last = null;
  }
}

function copyCheckpoint<S>({ tensors, state }: Checkpoint<S>): Checkpoint<S> {
  return { tensors: cloneStateDict(tensors), state: structuredClone(state) };
}
