export { buildProgram, main } from './program';
export { runW2Benchmark, type W2BenchmarkOptions, type W2BenchmarkResult } from './w2/w2-benchmark';
export { parseGaussianPair, readGaussianPair } from './w2/pair-file';
export { scatterPlot, type ScatterPlotOptions, type ScatterLayer, type ScatterSegments, type PlotBounds } from './render/scatter-plot';
export { imageGrid, type ImageGridOptions } from './render/image-grid';
export type { Rgb } from './render/png-canvas';
export {
  runToy,
  toyDefaults,
  TOY_COSTS,
  type ToyOptions,
  type ToyResult,
  type ToyCost,
  type ToyEnergy,
  type ToyPoints,
  type ToyDefaults,
} from './toy/run-toy';
export { energyDistance } from './toy/energy-distance';
