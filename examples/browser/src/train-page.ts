import * as tf from '@tensorflow/tfjs-core';
import { type GuardEvent, NeuralOT, type StepReport, pushForward } from '@not/ot-core';
import { ImageDataset, ImageSampler } from '@not/datasets';
import { encodeTransportMap } from '@not/stacking';
import { type TrainConfig, type TrainFlags, createCost, createMap, createPotential, gridBatch, gridIndices, mapAverageSettings, optimizerSettings, resolveTrainConfig } from '@not/cli/train-setup';
import { drawSampleGrid } from './grid-canvas';
import { fetchImageSource } from './image-assets';
import { drawLossChart } from './loss-chart';
import { type BackendChoice, type PageBackend, pickBackend } from './pick-backend';

// The training page: `not train` with its CPU preset (bags → shoes, 32×32×1, UNet 16, ResNet 16/64, batch 16, K_T 3,
// lr 1e-3 warmed up and cosine-decayed) on the browser's GPU. NeuralOT.fit yields to the event loop between steps, so
// the page redraws the losses and the sample grid while it trains, and Stop (an AbortSignal) ends it after the step in
// progress. The trained map is offered as the T.safetensors that `not translate` reads.
//
// URL parameters override the preset (steps, size, base, filters, maxFilters, batchSize, tIters, lr, seed, cost,
// sampleEvery) and choose the backend (backend=webgpu|webgl|cpu); autostart starts at once; stopAt=N presses Stop
// after step N; results=URL posts what happened (JSON, with the map file in base64) there when the run ends or fails,
// and writes it into #results, for the tests.

const $ = <T extends Element = HTMLElement>(id: string) => document.getElementById(id) as unknown as T;
const html = document.documentElement;
const params = new URLSearchParams(location.search);

function say(text: string, status?: string): void {
  $('status').textContent = text;
  if (status) html.dataset.status = status;
}

/** The run's configuration: `not train`'s CPU preset for bags → shoes, with what the URL sets. */
function configFromUrl(): TrainConfig {
  const number = (key: keyof TrainFlags) => (params.has(key) ? Number(params.get(key)) : undefined);
  const flags: TrainFlags = { source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes', evalEvery: 0 };
  for (const key of ['steps', 'size', 'base', 'filters', 'maxFilters', 'batchSize', 'tIters', 'lr', 'seed', 'sampleEvery'] as const) flags[key] = number(key);
  if (params.has('cost')) flags.cost = params.get('cost') as TrainFlags['cost'];
  return resolveTrainConfig(flags, 'cpu', true);
}

interface Run {
  config: TrainConfig;
  backend: BackendChoice;
  solver: NeuralOT;
  map: ReturnType<typeof createMap>;
  grid: { x: tf.Tensor4D; xValues: Float32Array; yValues: Float32Array; indices: number[] };
  reports: StepReport[];
  events: GuardEvent[];
  numTensors: number[];
  turns: number;
  mapFile: Uint8Array | null;
  interrupted: boolean;
  lastGrid: Float32Array | null;
}

async function setUp(): Promise<Run> {
  const began = performance.now();
  const backend = await pickBackend((params.get('backend') ?? 'auto') as PageBackend | 'auto');
  html.dataset.backend = backend.name;
  $('backend').textContent = `${backend.name} (${backend.device})${backend.skipped.length ? `; passed over ${backend.skipped.join('; ')}` : ''}`;
  const config = configFromUrl();
  $('config').textContent = `${config.size}×${config.size}×${config.channels}, UNet base ${config.base}, ResNet ${config.filters}…${config.maxFilters}, batch size ${config.batchSize}, K_T ${config.tIters}, lr ${config.lr} (${config.lrDecay}), ${config.cost} cost, ${config.steps} steps, seed ${config.seed}`;
  $('sample-every').textContent = String(config.sampleEvery);
  say('Loading the images…');
  const [sourceData, targetData] = await Promise.all(
    [config.source, config.target].map(async (spec) => new ImageDataset(await fetchImageSource(spec), { size: config.size, channels: config.channels })),
  );
  // As `not train` builds its run (packages/cli/src/train/train-run.ts), seeds included.
  const map = createMap(config);
  const potential = createPotential(config);
  const solver = new NeuralOT({
    map,
    potential,
    source: new ImageSampler(sourceData, { split: 'train', seed: config.seed }),
    target: new ImageSampler(targetData, { split: 'train', seed: config.seed + 1 }),
    cost: createCost(config).cost,
    batchSize: config.batchSize,
    tIters: config.tIters,
    ...optimizerSettings(config),
    mapAverage: mapAverageSettings(config),
    noise: config.cost === 'weak' ? { samples: config.noiseSamples, std: config.noiseStd } : undefined,
    seed: config.seed + 4,
  });
  const x = gridBatch(sourceData);
  const y = gridBatch(targetData);
  const [xValues, yValues] = (await Promise.all([x.data(), y.data()])) as Float32Array[];
  y.dispose();
  const run: Run = {
    config,
    backend,
    solver,
    map,
    grid: { x, xValues, yValues, indices: gridIndices(sourceData.testCount) },
    reports: [],
    events: [],
    numTensors: [],
    turns: 0,
    mapFile: null,
    interrupted: false,
    lastGrid: null,
  };
  console.info(`train page: backend and images ready in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  await drawGrid(run);
  console.info(`train page: first grid drawn after ${((performance.now() - began) / 1000).toFixed(1)} s`);
  drawLossChart($<SVGSVGElement>('losses'), []);
  return run;
}

/** Translates the grid's bags with T as it is now and draws x, T(x), y. */
async function drawGrid(run: Run): Promise<void> {
  const { config, grid } = run;
  // The grid and the map file show T's moving average, as `not train`'s do.
  const tx = await run.solver.withAveragedMap(() => pushForward(run.map, grid.x, { std: config.noiseStd, seed: config.seed + 5 }));
  try {
    run.lastGrid = (await tx.data()) as Float32Array;
  } finally {
    tx.dispose();
  }
  drawSampleGrid($<HTMLCanvasElement>('grid'), [grid.xValues, run.lastGrid, grid.yValues], grid.indices.length, config.size, config.channels);
  $('grid').dataset.step = String(run.solver.step);
}

async function train(run: Run): Promise<void> {
  const { config, solver } = run;
  const controller = new AbortController();
  const [start, stop, download] = [$<HTMLButtonElement>('start'), $<HTMLButtonElement>('stop'), $<HTMLAnchorElement>('download')];
  start.disabled = true;
  stop.disabled = false;
  stop.onclick = () => {
    controller.abort();
    stop.disabled = true;
    say(`Stopping after step ${solver.step + 1}…`);
  };
  download.setAttribute('aria-disabled', 'true');
  if (download.href.startsWith('blob:')) URL.revokeObjectURL(download.href);
  // Counts the event loop's turns while training: the page stays responsive only if the loop gets them.
  let training = true;
  const tick = () => {
    run.turns++;
    if (training) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const began = performance.now();
  const from = solver.step;
  say(`Training on ${run.backend.name}…`, 'training');
  try {
    await solver.fit({
      steps: config.steps - solver.step,
      checkpointEvery: config.checkpointEvery,
      signal: controller.signal,
      onStep: async (report) => {
        run.reports.push(report);
        drawLossChart($<SVGSVGElement>('losses'), run.reports);
        const perStep = (performance.now() - began) / 1000 / (report.step - from);
        say(`Step ${report.step} of ${config.steps} on ${run.backend.name} (${perStep.toFixed(2)} s per step): T loss ${report.mapLoss.toFixed(4)}, f loss ${report.potentialLoss.toFixed(4)}, cost ${report.cost.toFixed(4)}`);
        if (report.step % config.sampleEvery === 0 || report.step === config.steps) await drawGrid(run);
        if (Number(params.get('stopAt')) === report.step) stop.click();
        run.numTensors.push(tf.memory().numTensors);
      },
      onEvent: (event) => {
        run.events.push(event);
        const what = event.kind === 'divergence' ? `went back to step ${event.restoredStep}, learning rates × ${event.learningRateScale}` : 'warning';
        $('config').textContent += ` · step ${event.step}: ${event.reason} (${what})`;
      },
    });
    run.interrupted = solver.step < config.steps;
  } finally {
    training = false;
    stop.disabled = true;
  }
  // Stopped between grid steps: show the map the file will hold.
  if (Number($('grid').dataset.step) !== solver.step) await drawGrid(run);
  // The map file `not train` writes (T.safetensors): the weights, the noise and the run's configuration.
  run.mapFile = await run.solver.withAveragedMap(() => encodeTransportMap(run.map, { noise: { std: config.noiseStd }, config }));
  download.href = URL.createObjectURL(new Blob([run.mapFile as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  download.setAttribute('aria-disabled', 'false');
  start.disabled = solver.step >= config.steps;
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  say(`${run.interrupted ? 'Stopped' : 'Trained'} at step ${solver.step} of ${config.steps} on ${run.backend.name} (${seconds} s). Download the map, or ${start.disabled ? 'reload to start over' : 'train on'}.`, 'done');
  if (params.has('results')) await postResults(results(run));
}

/** What the run did, for the tests: the losses, the last grid's translations, what is drawn, the map file. */
function results(run: Run): object {
  const bytes = run.mapFile!;
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return {
    backend: run.backend.name,
    device: run.backend.device,
    skipped: run.backend.skipped,
    config: run.config,
    step: run.solver.step,
    interrupted: run.interrupted,
    reports: run.reports,
    events: run.events,
    numTensors: run.numTensors,
    turns: run.turns,
    gridIndices: run.grid.indices,
    gridOutput: Array.from(run.lastGrid!),
    gridCanvas: canvasRed($<HTMLCanvasElement>('grid')),
    chart: Array.from(document.querySelectorAll('#losses polyline')).map((line) => ({ series: line.getAttribute('data-series'), points: line.getAttribute('points')!.split(' ').filter(Boolean).length })),
    mapFile: btoa(binary),
  };
}

/** The grid canvas as drawn: its width and height, and the red value of every pixel, row by row. */
function canvasRed(canvas: HTMLCanvasElement): { width: number; height: number; red: number[] } {
  const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  return { width: canvas.width, height: canvas.height, red: Array.from({ length: data.length / 4 }, (_, p) => data[4 * p]) };
}

/** Writes `what` into #results and posts it to the address the URL's `results` gives (if any). */
async function postResults(what: object): Promise<void> {
  const text = JSON.stringify({ status: html.dataset.status, message: $('status').textContent, ...what });
  $('results').textContent = text;
  const to = params.get('results');
  if (to) await fetch(to, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
}

async function main(): Promise<void> {
  const run = await setUp();
  const start = $<HTMLButtonElement>('start');
  start.onclick = () => void train(run).catch(fail);
  start.disabled = false;
  say(`Ready: ${run.config.steps} steps. Press Train.`, 'ready');
  if (params.has('autostart')) await train(run);
}

function fail(error: unknown): void {
  say(`Error: ${error instanceof Error ? error.message : String(error)}`, 'error');
  if (params.has('results')) void postResults({ backend: html.dataset.backend ?? null });
}

main().catch(fail);
