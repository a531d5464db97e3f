import { checkPositiveInt, frechetDistance, meanAndCovariance, type Matrix } from '@not/ot-core';

/** Feature statistics as the NOT reference caches them (`stats/*.json`: {mu, sigma}), plus the count. */
export interface FeatureStatisticsJson {
  /** The mean, length d. */
  mu: number[];
  /** The unbiased covariance, d rows of d values. */
  sigma: number[][];
  /** How many feature vectors were seen; absent in the reference's files, which then cannot take more vectors. */
  count?: number;
  /** What made the features (e.g. 'inception-pool3'), so statistics of different extractors are not mixed. */
  features?: string;
}

/** Rows buffered before they are folded into the running moments (one float64 GEMM per chunk). */
const CHUNK = 512;

/**
 * Mean and covariance of feature vectors that arrive batch by batch, without keeping them: FID's statistics of
 * thousands of images in the memory of one d×d matrix. Computed in float64; chunks are merged with Chan et al.'s
 * pairwise update (centred scatter matrices plus a mean-shift term), so large means cancel no digits.
 * The covariance divides by N − 1, as numpy's np.cov in pytorch-fid and the reference.
 */
export class FeatureStatistics {
  /** Length of each feature vector (d). */
  readonly dim: number;
  /** What made the features (e.g. 'inception-pool3'), if known; statistics of different extractors do not compare. */
  readonly features: string | undefined;
  private n = 0;
  private readonly mu: Float64Array;
  /** Σ (x − μ)(x − μ)ᵀ over the rows folded in so far. */
  private readonly scatter: Float64Array;
  private readonly pending: Float64Array;
  private pendingRows = 0;
  /** False for statistics loaded without a count (the reference's files): they compare but cannot grow. */
  private countKnown = true;

  constructor(dim: number, features?: string) {
    checkPositiveInt('FeatureStatistics', 'dim', dim);
    this.dim = dim;
    this.features = features;
    this.mu = new Float64Array(dim);
    this.scatter = new Float64Array(dim * dim);
    this.pending = new Float64Array(CHUNK * dim);
  }

  /** Number of feature vectors seen; NaN for statistics loaded without a count. */
  get count(): number {
    return this.countKnown ? this.n + this.pendingRows : NaN;
  }

  /** Adds n feature vectors stored row-major (n·dim values). */
  add(values: ArrayLike<number>): void {
    const d = this.dim;
    if (!this.countKnown) throw new Error('FeatureStatistics.add: these statistics were loaded without a count, so new vectors cannot be weighed in');
    if (values.length % d !== 0) {
      throw new Error(`FeatureStatistics.add: expected rows of ${d} features, got ${values.length} values (not a multiple of ${d})`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new Error(`FeatureStatistics.add: features must be finite, got ${values[i]} in row ${Math.floor(i / d)}, feature ${i % d}`);
      }
    }
    for (let row = 0; row < values.length / d; row++) {
      for (let j = 0; j < d; j++) this.pending[this.pendingRows * d + j] = values[row * d + j];
      if (++this.pendingRows === CHUNK) this.flush();
    }
  }

  /** The mean, length dim. */
  mean(): Float64Array {
    this.flush();
    return Float64Array.from(this.mu);
  }

  /** The unbiased covariance (dim × dim); needs at least 2 vectors. */
  covariance(): Matrix {
    this.flush();
    if (this.n < 2) throw new Error(`FeatureStatistics: the covariance needs at least 2 feature vectors, got ${this.n}`);
    const data = new Float64Array(this.scatter.length);
    for (let i = 0; i < data.length; i++) data[i] = this.scatter[i] / (this.n - 1);
    return { rows: this.dim, cols: this.dim, data };
  }

  /** The Fréchet distance to `other` (FID when the features are Inception's). */
  frechetDistance(other: FeatureStatistics): number {
    if (other.dim !== this.dim) throw new Error(`FeatureStatistics.frechetDistance: dimensions differ, ${this.dim} and ${other.dim}`);
    if (this.features !== undefined && other.features !== undefined && this.features !== other.features) {
      throw new Error(`FeatureStatistics.frechetDistance: statistics of different features, '${this.features}' and '${other.features}'`);
    }
    return frechetDistance(this.mean(), this.covariance(), other.mean(), other.covariance());
  }

  /** {mu, sigma, count, features}: the reference's stats JSON with two extra keys. */
  toJSON(): FeatureStatisticsJson {
    const sigma = this.covariance();
    const d = this.dim;
    return {
      mu: Array.from(this.mean()),
      sigma: Array.from({ length: d }, (_, i) => Array.from(sigma.data.subarray(i * d, (i + 1) * d))),
      ...(this.countKnown ? { count: this.n } : {}),
      ...(this.features === undefined ? {} : { features: this.features }),
    };
  }

  /** Statistics saved by {@link toJSON} or by the reference (`{mu, sigma}`); `where` names the origin in errors. */
  static fromJSON(json: FeatureStatisticsJson, where = 'statistics'): FeatureStatistics {
    const fn = 'FeatureStatistics.fromJSON';
    if (json === null || typeof json !== 'object' || !Array.isArray(json.mu) || !Array.isArray(json.sigma)) {
      throw new Error(`${fn}: ${where} must be an object with arrays mu (d) and sigma (d×d)`);
    }
    const d = json.mu.length;
    if (d === 0 || json.sigma.length !== d || json.sigma.some((row) => !Array.isArray(row) || row.length !== d)) {
      throw new Error(`${fn}: ${where}: sigma must be ${d}×${d} to match mu (length ${d})`);
    }
    // The reference's files carry no count; then any n ≥ 2 reproduces sigma exactly below.
    const count = json.count ?? 2;
    if (!(Number.isInteger(count) && count >= 2)) throw new Error(`${fn}: ${where}: count must be an integer >= 2, got ${json.count}`);
    const stats = new FeatureStatistics(d, json.features);
    stats.n = count;
    stats.countKnown = json.count !== undefined;
    json.mu.forEach((v, j) => (stats.mu[j] = v));
    json.sigma.forEach((row, i) => row.forEach((v, j) => (stats.scatter[i * d + j] = v * (count - 1))));
    for (const v of [...stats.mu, ...stats.scatter]) {
      if (!Number.isFinite(v)) throw new Error(`${fn}: ${where} holds a non-finite value (${v})`);
    }
    return stats;
  }

  /** Folds the buffered rows into the running mean and scatter. */
  private flush(): void {
    const m = this.pendingRows;
    if (m === 0) return;
    const d = this.dim;
    const { mean, cov } = meanAndCovariance(this.pending.subarray(0, m * d), m, d, { unbiased: false });
    const n = this.n;
    const total = n + m;
    const w = (n * m) / total;
    for (let i = 0; i < d; i++) {
      const di = mean[i] - this.mu[i];
      for (let j = 0; j < d; j++) this.scatter[i * d + j] += cov.data[i * d + j] * m + w * di * (mean[j] - this.mu[j]);
    }
    for (let j = 0; j < d; j++) this.mu[j] += ((mean[j] - this.mu[j]) * m) / total;
    this.n = total;
    this.pendingRows = 0;
  }
}
