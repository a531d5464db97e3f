#!/usr/bin/env node
// Writes the Fashion-MNIST subset embedded in @not/datasets (run by hand; the output is committed):
//
//   node packages/datasets/scripts/make-fashion-subset.mjs [--from DIR] [--per-group N]
//
// Takes the first N bags (class 8) and the first N shoes (classes 5 sandal, 7 sneaker, 9 ankle boot, in whatever mix
// the file has) from the TRAINING file, in file order (not stratified by shoe class), and writes them, still in file
// order, as two gzip-compressed IDX files under packages/datasets/data/:
//   fashion-mnist-subset-images.idx.gz   [2N, 28, 28] unsigned bytes
//   fashion-mnist-subset-labels.idx.gz   [2N]         unsigned bytes (the original class numbers)
// Default DIR is Debian's /usr/share/datasets/fashion-mnist (package dataset-fashion-mnist); default N is 3000,
// which keeps the two files at about 2.5 MB together. Output is byte-for-byte reproducible (gzip without timestamps).
//
// Fashion-MNIST: Han Xiao, Kashif Rasul, Roland Vollgraf (Zalando Research), MIT license, arXiv:1708.07747.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const BAG = 8;
const SHOES = new Set([5, 7, 9]);

function args() {
  const out = { from: '/usr/share/datasets/fashion-mnist', perGroup: 3000 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--from') out.from = argv[++i];
    else if (argv[i] === '--per-group') out.perGroup = Number(argv[++i]);
    else throw new Error(`make-fashion-subset: unknown argument ${argv[i]} (accepted: --from DIR, --per-group N)`);
  }
  if (!(Number.isInteger(out.perGroup) && out.perGroup >= 1)) {
    throw new Error(`make-fashion-subset: --per-group must be a positive integer, got ${out.perGroup}`);
  }
  return out;
}

function readIdx(path) {
  if (!existsSync(path)) throw new Error(`make-fashion-subset: ${path} not found (apt-get install dataset-fashion-mnist)`);
  let raw = readFileSync(path);
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  if (raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08) throw new Error(`make-fashion-subset: ${path} is not an unsigned-byte IDX file`);
  const ndims = raw[3];
  const dims = [];
  for (let i = 0; i < ndims; i++) dims.push(raw.readUInt32BE(4 + 4 * i));
  const data = raw.subarray(4 + 4 * ndims);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`make-fashion-subset: ${path}: size does not match its header`);
  return { dims, data };
}

function encodeIdx(data, dims) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, data]), { level: 9 });
}

const { from, perGroup } = args();
const images = readIdx(join(from, 'train-images-idx3-ubyte.gz'));
const labels = readIdx(join(from, 'train-labels-idx1-ubyte.gz'));
const [count, h, w] = images.dims;
if (labels.dims[0] !== count) throw new Error(`make-fashion-subset: ${count} images but ${labels.dims[0]} labels`);

const picked = [];
let bags = 0;
let shoes = 0;
for (let i = 0; i < count && (bags < perGroup || shoes < perGroup); i++) {
  const label = labels.data[i];
  if (label === BAG && bags < perGroup) (picked.push(i), bags++);
  else if (SHOES.has(label) && shoes < perGroup) (picked.push(i), shoes++);
}
if (bags < perGroup || shoes < perGroup) {
  throw new Error(`make-fashion-subset: asked for ${perGroup} of each, found ${bags} bags and ${shoes} shoes`);
}

const size = h * w;
const outImages = Buffer.alloc(picked.length * size);
const outLabels = Buffer.alloc(picked.length);
const perClass = {};
picked.forEach((i, k) => {
  outImages.set(images.data.subarray(i * size, (i + 1) * size), k * size);
  outLabels[k] = labels.data[i];
  perClass[labels.data[i]] = (perClass[labels.data[i]] ?? 0) + 1;
});

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');
mkdirSync(dataDir, { recursive: true });
const imagesGz = encodeIdx(outImages, [picked.length, h, w]);
const labelsGz = encodeIdx(outLabels, [picked.length]);
writeFileSync(join(dataDir, 'fashion-mnist-subset-images.idx.gz'), imagesGz);
writeFileSync(join(dataDir, 'fashion-mnist-subset-labels.idx.gz'), labelsGz);
console.log(
  `make-fashion-subset: ${picked.length} images (per class ${JSON.stringify(perClass)}; last training index ${picked.at(-1)}), ` +
    `${imagesGz.length + labelsGz.length} bytes gzip → ${dataDir}`,
);
