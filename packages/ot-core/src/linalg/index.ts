// Dense float64 linear algebra on row-major matrices (the ground truth behind the Gaussian closed forms and FID).
export type { Matrix } from './matrix';
export {
  asymmetry,
  diagonalMatrix,
  identityMatrix,
  matrix,
  matrixFromRows,
  matrixToRows,
  symmetrize,
  trace,
  transpose,
} from './matrix';
export { matmul } from './matmul';
export type { PivotedCholesky, PivotedCholeskyOptions } from './cholesky';
export { cholesky, pivotedCholesky } from './cholesky';
export type { SymmetricEigen, SymmetricEigenOptions } from './symmetric-eigen';
export { symmetricEigen, symmetricEigenvalues } from './symmetric-eigen';
export type { InverseSqrtmOptions, SqrtmOptions } from './matrix-functions';
export { inverseSqrtmSpd, sqrtmPsd } from './matrix-functions';
export type { TraceSqrtProductOptions } from './trace-sqrt-product';
export { traceSqrtProduct } from './trace-sqrt-product';
export { randomOrthogonal } from './random-orthogonal';
