import { existsSync, readFileSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { type Module, Rng, describeNonFinite, nonFinite } from '@not/ot-core';
import { type ParameterSummary, ResNetPotential, UNet, loadSafetensorsInto, parameterSummary } from '@not/nets';
import { type NpyArray, readNpy, writeNpy } from '@not/datasets';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { writeFileAtomic } from '../files/atomic-write';
import { integer, number } from '../parse';

export type NetArch = 'unet' | 'resnet';

/** A network's architecture, with every default filled in. */
export type NetConfig =
  | { arch: 'unet'; in: number; out: number; base: number; noiseChannels: number }
  | { arch: 'resnet'; in: number; size: number; filters: number; maxFilters: number };

/** Options that belong to one architecture only; giving one with the other is an error. */
const ONLY: Record<string, NetArch> = { out: 'unet', base: 'unet', noiseChannels: 'unet', filters: 'resnet', maxFilters: 'resnet' };
const FLAG: Record<string, string> = { out: '--out', base: '--base', noiseChannels: '--noise-channels', filters: '--filters', maxFilters: '--max-filters' };

/** The architecture options shared by `nets summary` and `nets apply`; defaults follow the reference (unet 3→3, base 48; resnet 64, 64 filters capped at 512). */
function addArchOptions(command: Command): Command {
  return command
    .addOption(new Option('--arch <arch>', 'network: unet (the transport map T) or resnet (the potential f)').choices(['unet', 'resnet']).makeOptionMandatory())
    .option('--in <C>', 'image channels (unet input, resnet input) (default: 3)', integer('--in', 1))
    .option('--out <C>', 'unet output channels (default: 3)', integer('--out', 1))
    .option('--base <N>', 'unet width of the first level (default: 48)', integer('--base', 1))
    .option('--noise-channels <N>', 'unet noise channels appended to the input (weak/stochastic map) (default: 0)', integer('--noise-channels', 0))
    .option('--size <S>', 'image side: the resnet input size (a power of two >= 16); for unet only checks the input (default: 64)', integer('--size', 16))
    .option('--filters <N>', 'resnet width at full resolution (default: 64)', integer('--filters', 1))
    .option('--max-filters <N>', 'resnet cap on the width (default: 512)', integer('--max-filters', 1));
}

/** Fills in the architecture's defaults and refuses options of the other architecture. */
export function netConfig(command: string, opts: Record<string, unknown>): NetConfig {
  const arch = opts.arch as NetArch;
  for (const [key, owner] of Object.entries(ONLY)) {
    if (opts[key] !== undefined && owner !== arch) throw new Error(`${command}: ${FLAG[key]} applies to --arch ${owner} only, not --arch ${arch}`);
  }
  const given = (key: string, fallback: number) => (opts[key] as number | undefined) ?? fallback;
  if (arch === 'unet') return { arch, in: given('in', 3), out: given('out', 3), base: given('base', 48), noiseChannels: given('noiseChannels', 0) };
  const size = given('size', 64);
  if ((size & (size - 1)) !== 0) throw new Error(`${command}: --size must be a power of two >= 16 for --arch resnet, got ${size}`);
  return { arch, in: given('in', 3), size, filters: given('filters', 64), maxFilters: given('maxFilters', 512) };
}

/** Builds the network of a config (seeded; `nets apply` overwrites every weight). */
export function buildNet(config: NetConfig, seed = 0): UNet | ResNetPotential {
  if (config.arch === 'unet') return new UNet({ inChannels: config.in + config.noiseChannels, outChannels: config.out, base: config.base, seed });
  return new ResNetPotential({ size: config.size, channels: config.in, filters: config.filters, maxFilters: config.maxFilters, seed });
}

export function describeNet(config: NetConfig): string {
  if (config.arch === 'unet') {
    const noise = config.noiseChannels ? ` + ${config.noiseChannels} noise` : '';
    return `UNet in ${config.in}${noise} → out ${config.out}, base ${config.base}`;
  }
  return `ResNet potential ${config.size}×${config.size}×${config.in}, filters ${config.filters} (max ${config.maxFilters})`;
}

/** A parameter summary as an aligned text table. */
export function formatSummary(title: string, summary: ParameterSummary): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const rows = summary.layers.map((layer) => [
    layer.name || '(top level)',
    layer.parameters.map((p) => `${p.name} [${p.shape.join(', ')}]`).join(', '),
    count(layer.count),
  ]);
  const head = ['layer', 'parameters', 'count'];
  const foot: [string, string][] = [
    ['total trainable', count(summary.total)],
    ['buffers (not trained)', count(summary.buffers)],
  ];
  const w0 = Math.max(head[0].length, ...rows.map((r) => r[0].length));
  const w1 = Math.max(head[1].length, ...rows.map((r) => r[1].length));
  const w2 = Math.max(head[2].length, ...rows.map((r) => r[2].length), ...foot.map((f) => f[1].length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padStart(w2)}`.trimEnd();
  const lines = [title, line(...(head as [string, string, string])), ...rows.map((r) => line(r[0], r[1], r[2]))];
  lines.push('-'.repeat(w0 + w1 + w2 + 4));
  for (const [label, value] of foot) lines.push(`${label.padEnd(w0 + w1 + 2)}  ${value.padStart(w2)}`);
  return lines.join('\n') + '\n';
}

function readFile(command: string, flag: string, path: string): Uint8Array {
  if (!existsSync(path)) throw new Error(`${command}: ${flag} ${path}: no such file`);
  if (!statSync(path).isFile()) throw new Error(`${command}: ${flag} ${path}: not a file`);
  return new Uint8Array(readFileSync(path));
}

/** The input batch as float32 NHWC, checked against the architecture. */
function readInput(command: string, path: string, config: NetConfig, size: number | undefined): { data: Float32Array; shape: [number, number, number, number] } {
  let array: NpyArray;
  try {
    array = readNpy(readFile(command, '--input', path));
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith(command) ? message : `${command}: --input ${path}: ${message}`);
  }
  const { shape, dtype } = array;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${command}: --input ${path} holds ${dtype}; expected float32 images in [-1, 1] (NHWC)`);
  }
  const data = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data);
  const found = nonFinite(data);
  if (found) throw new Error(`${command}: --input ${path} holds ${describeNonFinite(found, shape)}; images must be finite`);
  const [b, h, w, c] = shape;
  if (config.arch === 'unet') {
    const sides = size === undefined ? h % 16 === 0 && w % 16 === 0 && h >= 16 && w >= 16 : h === size && w === size;
    if (shape.length !== 4 || c !== config.in || !sides || b < 1) {
      const where = size === undefined ? 'H and W multiples of 16' : `H = W = ${size} (--size)`;
      throw new Error(`${command}: --input ${path} has shape [${shape}], expected [B, H, W, ${config.in}] (NHWC, --in ${config.in}) with ${where}`);
    }
  } else if (shape.length !== 4 || h !== config.size || w !== config.size || c !== config.in || b < 1) {
    throw new Error(
      `${command}: --input ${path} has shape [${shape}], expected [B, ${config.size}, ${config.size}, ${config.in}] ` +
        `(NHWC, --size ${config.size}, --in ${config.in})`,
    );
  }
  return { data, shape: [b, h, w, c] };
}

/** Loads the weights into the net, naming the file and the architecture when they do not fit. */
function loadWeights(command: string, net: Module, path: string, bytes: Uint8Array, config: NetConfig): void {
  try {
    loadSafetensorsInto(net, bytes);
  } catch (error) {
    throw new Error(`${command}: --weights ${path} does not fit ${describeNet(config)}: ${(error as Error).message}`);
  }
}

export interface ApplyNetOptions {
  /** Inference mode (batch-norm running statistics) instead of batch statistics. */
  eval: boolean;
  /** Images per forward pass. */
  batchSize: number;
  /** Standard deviation of the UNet's noise channels. */
  noiseStd: number;
  /** Seed of the noise. */
  seed: number;
}

/**
 * Runs a network over an NHWC float32 batch in chunks of `batch`: UNet → [B, H, W, out], ResNet → [B]. Noise
 * channels (UNet with noiseChannels > 0) are N(0, noiseStd²), drawn in NHWC order from one seeded stream, so the
 * chunk size does not change them. In training mode (no `eval`) the batch statistics are those of each chunk.
 */
export async function applyNet(
  net: UNet | ResNetPotential,
  config: NetConfig,
  input: { data: Float32Array; shape: [number, number, number, number] },
  { eval: evalMode, batchSize, noiseStd, seed }: ApplyNetOptions,
): Promise<{ data: Float32Array; shape: number[] }> {
  const [b, h, w, c] = input.shape;
  const perImage = h * w * c;
  const outShape = config.arch === 'unet' ? [b, h, w, config.out] : [b];
  const outPer = config.arch === 'unet' ? h * w * config.out : 1;
  const out = new Float32Array(b * outPer);
  const noiseChannels = config.arch === 'unet' ? config.noiseChannels : 0;
  const rng = new Rng(seed);
  for (let start = 0; start < b; start += batchSize) {
    const n = Math.min(batchSize, b - start);
    const y = tf.tidy(() => {
      const x = tf.tensor4d(input.data.subarray(start * perImage, (start + n) * perImage), [n, h, w, c]);
      if (net instanceof ResNetPotential) return net.apply(x);
      if (noiseChannels === 0) return net.apply(x, { training: !evalMode });
      const z = new Float32Array(n * h * w * noiseChannels);
      for (let i = 0; i < z.length; i++) z[i] = rng.normal() * noiseStd;
      return net.apply(tf.concat([x, tf.tensor4d(z, [n, h, w, noiseChannels])], 3), { training: !evalMode });
    });
    const values = (await y.data()) as Float32Array;
    y.dispose();
    out.set(values, start * outPer);
  }
  return { data: out, shape: outShape };
}

export function registerNets(program: Command): void {
  const nets = program.command('nets').description('inspect and run the reference networks (UNet map, ResNet potential)');

  addArchOptions(nets.command('summary').description('print the parameter count of each layer and the total'))
    .option('--json', 'print one JSON object instead of a table')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      const config = netConfig('nets summary', opts);
      await selectBackend(opts);
      const net = buildNet(config);
      try {
        const summary = parameterSummary(net);
        if (opts.json) process.stdout.write(JSON.stringify({ ...config, ...summary }) + '\n');
        else process.stdout.write(formatSummary(describeNet(config), summary));
      } finally {
        net.dispose();
      }
    });

  addArchOptions(
    nets
      .command('apply')
      .description('run a network with safetensors weights on an NHWC float32 .npy batch; writes UNet [B,H,W,out] or ResNet [B] as .npy'),
  )
    .requiredOption('--weights <file>', 'safetensors weights with the reference names (e.g. saved from PyTorch)')
    .requiredOption('--input <file>', '.npy batch [B, H, W, C], float32 in [-1, 1]')
    .requiredOption('--output <file>', 'where to write the .npy result')
    .option('--eval', 'inference mode: batch norms use their running statistics (default: batch statistics, PyTorch train mode)')
    .option('--batch-size <B>', 'images per forward pass (in training mode the batch statistics are per pass)', integer('--batch-size', 1), 64)
    .option('--noise-std <s>', 'standard deviation of the unet noise channels (the reference Z_STD)', number('--noise-std'), 0.1)
    .option('--seed <S>', 'seed of the noise channels', integer('--seed', 0), 0)
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts, command: Command) => {
      const name = 'nets apply';
      const config = netConfig(name, opts);
      const size = config.arch === 'unet' && command.getOptionValueSource('size') === 'cli' ? (opts.size as number) : undefined;
      const weights = readFile(name, '--weights', opts.weights);
      const input = readInput(name, opts.input, config, size);
      await selectBackend(opts);
      const net = buildNet(config);
      try {
        loadWeights(name, net, opts.weights, weights, config);
        const result = await applyNet(net, config, input, { eval: Boolean(opts.eval), batchSize: opts.batchSize, noiseStd: opts.noiseStd, seed: opts.seed });
        writeFileAtomic(opts.output, writeNpy(result.data, result.shape));
        process.stderr.write(`${describeNet(config)}: [${input.shape}] → [${result.shape}] written to ${opts.output}\n`);
      } finally {
        net.dispose();
      }
    });
}
