// unetsharp serve viewer: plain JS, no dependencies. Reads the picked file in the browser only to show it (PNG natively,
// NIfTI and TIFF with the small decoders below); the server gets the file's bytes unchanged.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { file: null, bytes: null, image: null, labels: null, kind: null };
const palette = [[0, 0, 0], [255, 64, 64], [64, 200, 255], [255, 210, 40], [120, 255, 120], [220, 100, 255], [255, 150, 60], [60, 120, 255]];

$('token').value = sessionStorage.getItem('unetsharp-token') || '';
$('token').addEventListener('change', () => { sessionStorage.setItem('unetsharp-token', $('token').value.trim()); describeModel(); });

function authHeaders() {
  const token = $('token').value.trim();
  return token ? { Authorization: 'Bearer ' + token } : {};
}

function setStatus(text, error) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

async function describeModel() {
  try {
    const response = await fetch('v1/model', { headers: authHeaders() });
    if (response.status === 401) { $('model').textContent = 'this server needs a token: enter it below'; return; }
    if (!response.ok) { $('model').textContent = 'model description unavailable (' + response.status + ')'; return; }
    const m = await response.json();
    $('model').textContent = `${m.architecture} ${m.dimensions}D, ${m.in_channels} channel(s), classes ${m.class_values.join('/')}, depths L${m.depths.join(', L')} (default L${m.default_depth}), ${m.workers} worker(s)`;
    const select = $('depth');
    const chosen = select.dataset.touched ? select.value : String(m.default_depth);
    select.replaceChildren(...m.depths.map((d) => new Option('L' + d, String(d))));
    select.value = m.depths.map(String).includes(chosen) ? chosen : String(m.default_depth);
  } catch (e) {
    $('model').textContent = 'model description unavailable: ' + e.message;
  }
}

// ---------- reading images in the browser (display only) ----------

function kindOf(name, bytes) {
  const b = new Uint8Array(bytes, 0, Math.min(8, bytes.byteLength));
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if ((b[0] === 0x49 && b[1] === 0x49) || (b[0] === 0x4d && b[1] === 0x4d)) return 'tiff';
  if (/\.nii(\.gz)?$/i.test(name) || (b[0] === 0x1f && b[1] === 0x8b)) return 'nifti';
  return 'unknown';
}

const contentTypes = { png: 'image/png', tiff: 'image/tiff', nifti: 'application/octet-stream', unknown: 'application/octet-stream' };

/** An image as { width, height, depth, data: Float32Array [depth][height][width] } (first channel). */
async function decode(kind, bytes) {
  if (kind === 'png') {
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const data = new Float32Array(bitmap.width * bitmap.height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i];
    return { width: bitmap.width, height: bitmap.height, depth: 1, data };
  }
  if (kind === 'tiff') return decodeTiff(bytes);
  if (kind === 'nifti') return decodeNifti(await gunzipIfNeeded(bytes));
  throw new Error('not a PNG, TIFF or NIfTI file');
}

async function gunzipIfNeeded(bytes) {
  const b = new Uint8Array(bytes, 0, 2);
  if (b[0] !== 0x1f || b[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

function decodeNifti(buffer) {
  const view = new DataView(buffer);
  let little = true;
  let size = view.getInt32(0, true);
  if (size !== 348 && size !== 540) { little = false; size = view.getInt32(0, false); }
  if (size !== 348 && size !== 540) throw new Error('not a NIfTI file');
  const two = size === 540;
  const dim = [];
  for (let i = 0; i < 8; i++) dim.push(two ? Number(view.getBigInt64(16 + 8 * i, little)) : view.getInt16(40 + 2 * i, little));
  const datatype = view.getInt16(two ? 12 : 70, little);
  const offset = two ? Number(view.getBigInt64(168, little)) : view.getFloat32(108, little);
  let slope = two ? view.getFloat64(176, little) : view.getFloat32(112, little);
  let inter = two ? view.getFloat64(184, little) : view.getFloat32(116, little);
  if (!slope || !isFinite(slope)) { slope = 1; inter = 0; }
  const rank = dim[0];
  const width = dim[1], height = rank >= 2 ? dim[2] : 1, depth = rank >= 3 ? dim[3] : 1;
  const readers = {
    2: [1, (o) => view.getUint8(o)], 256: [1, (o) => view.getInt8(o)],
    4: [2, (o) => view.getInt16(o, little)], 512: [2, (o) => view.getUint16(o, little)],
    8: [4, (o) => view.getInt32(o, little)], 768: [4, (o) => view.getUint32(o, little)],
    16: [4, (o) => view.getFloat32(o, little)], 64: [8, (o) => view.getFloat64(o, little)],
  };
  const reader = readers[datatype];
  if (!reader) throw new Error('NIfTI datatype ' + datatype + ' cannot be shown here');
  const [bytesPer, read] = reader;
  const n = width * height * depth;
  if (offset + n * bytesPer > buffer.byteLength) throw new Error('truncated NIfTI file');
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = read(offset + i * bytesPer) * slope + inter;
  return { width, height, depth, data };
}

function decodeTiff(buffer) {
  const view = new DataView(buffer);
  const little = view.getUint16(0) === 0x4949;
  const u16 = (o) => view.getUint16(o, little), u32 = (o) => view.getUint32(o, little);
  if (u16(2) !== 42) throw new Error('BigTIFF cannot be shown here');
  const pages = [];
  for (let ifd = u32(4); ifd !== 0 && pages.length < 10000; ) {
    const count = u16(ifd), tags = {};
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + 12 * i, tag = u16(entry), type = u16(entry + 2), n = u32(entry + 4);
      const size = { 1: 1, 3: 2, 4: 4, 16: 8 }[type] || 1;
      const at = n * size <= 4 ? entry + 8 : u32(entry + 8);
      const values = [];
      for (let k = 0; k < Math.min(n, 1 << 20); k++) values.push(size === 1 ? view.getUint8(at + k) : size === 2 ? u16(at + 2 * k) : u32(at + 4 * k));
      tags[tag] = values;
    }
    pages.push(tiffPage(buffer, tags));
    ifd = u32(ifd + 2 + 12 * count);
  }
  const { width, height } = pages[0];
  const data = new Float32Array(width * height * pages.length);
  pages.forEach((p, i) => {
    if (p.width !== width || p.height !== height) throw new Error('TIFF pages differ in size');
    data.set(p.data, i * width * height);
  });
  return { width, height, depth: pages.length, data };
}

function tiffPage(buffer, tags) {
  const tag = (t, d) => (tags[t] ? tags[t][0] : d);
  const width = tag(256), height = tag(257), bits = tag(258, 1), samples = tag(277, 1), compression = tag(259, 1);
  const predictor = tag(317, 1), format = tag(339, 1), planar = tag(284, 1), little = new DataView(buffer).getUint16(0) === 0x4949;
  if (![1, 5].includes(compression)) throw new Error('TIFF compression ' + compression + ' cannot be shown here (uncompressed and LZW can)');
  if (![8, 16, 32].includes(bits) || planar !== 1) throw new Error('this TIFF layout cannot be shown here');
  const bytesPerSample = bits / 8, rowBytes = width * samples * bytesPerSample;
  const raw = new Uint8Array(rowBytes * height);
  let at = 0;
  tags[273].forEach((offset, i) => {
    const strip = new Uint8Array(buffer, offset, tags[279][i]);
    const rows = Math.min(tag(278, height), height - at / rowBytes);
    const part = compression === 5 ? lzwDecode(strip, rows * rowBytes) : strip.subarray(0, rows * rowBytes);
    if (predictor === 2 && bytesPerSample === 1)
      for (let r = 0; r < rows; r++) for (let x = samples; x < rowBytes; x++) part[r * rowBytes + x] = (part[r * rowBytes + x] + part[r * rowBytes + x - samples]) & 255;
    raw.set(part, at);
    at += part.length;
  });
  const view = new DataView(raw.buffer);
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const o = i * samples * bytesPerSample;
    data[i] = bits === 8 ? raw[o] : bits === 16 ? view.getUint16(o, little) : format === 3 ? view.getFloat32(o, little) : view.getUint32(o, little);
  }
  return { width, height, data };
}

/** TIFF's LZW: MSB-first codes of 9..12 bits, clear 256, end 257, code width grows one code early. */
function lzwDecode(source, expected) {
  const out = new Uint8Array(expected);
  const table = [];
  let width = 9, next = 258, bit = 0, written = 0, previous = null;
  const total = source.length * 8;
  const read = () => {
    if (bit + width > total) return 257;
    let value = 0;
    for (let i = 0; i < width; i++, bit++) value = (value << 1) | ((source[bit >> 3] >> (7 - (bit & 7))) & 1);
    return value;
  };
  for (let i = 0; i < 256; i++) table[i] = [i];
  for (;;) {
    const code = read();
    if (code === 257) break;
    if (code === 256) { width = 9; next = 258; previous = null; continue; }
    let entry;
    if (code < next && table[code]) entry = table[code];
    else if (code === next && previous) entry = previous.concat(previous[0]);
    else throw new Error('corrupt LZW data in the TIFF');
    for (let i = 0; i < entry.length && written < expected; i++) out[written++] = entry[i];
    if (previous && next < 4096) table[next++] = previous.concat(entry[0]);
    previous = entry;
    if (next >= (1 << width) - 1 && width < 12) width++;
    if (written >= expected) break;
  }
  return out;
}

// ---------- drawing ----------

function draw() {
  const image = state.image;
  if (!image) return;
  const z = Math.min(Number($('slice').value) || 0, image.depth - 1);
  const plane = image.width * image.height;
  for (const id of ['image', 'overlay']) { $(id).width = image.width; $(id).height = image.height; }
  let lo = Infinity, hi = -Infinity;
  for (let i = z * plane; i < (z + 1) * plane; i++) { const v = image.data[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const pixels = new ImageData(image.width, image.height);
  for (let i = 0; i < plane; i++) {
    const g = (image.data[z * plane + i] - lo) * scale;
    pixels.data.set([g, g, g, 255], 4 * i);
  }
  $('image').getContext('2d').putImageData(pixels, 0, 0);
  $('slice-label').textContent = image.depth > 1 ? `${z + 1} / ${image.depth}` : '';

  const overlay = $('overlay').getContext('2d');
  overlay.clearRect(0, 0, image.width, image.height);
  const labels = state.labels;
  if (!labels) return;
  const values = [...new Set(labels.data)].filter((v) => v !== 0).sort((a, b) => a - b);
  const alpha = Math.round(2.55 * Number($('opacity').value));
  const colours = new ImageData(image.width, image.height);
  for (let i = 0; i < plane; i++) {
    const v = labels.data[z * plane + i];
    if (v === 0) continue;
    const c = palette[1 + (values.indexOf(v) % (palette.length - 1))];
    colours.data.set([c[0], c[1], c[2], alpha], 4 * i);
  }
  overlay.putImageData(colours, 0, 0);
}

// ---------- talking to the server ----------

async function segment() {
  if (!state.bytes) return;
  const depth = $('depth').value, tta = $('tta').checked;
  $('overlay').dataset.state = 'running';
  setStatus(`segmenting ${state.file} at L${depth}${tta ? ' with TTA' : ''}…`);
  const started = performance.now();
  try {
    const response = await fetch(`v1/segment?depth=${encodeURIComponent(depth)}&tta=${tta}`, {
      method: 'POST', body: state.bytes, headers: { 'Content-Type': contentTypes[state.kind], ...authHeaders() },
    });
    const elapsed = performance.now() - started;
    if (!response.ok) {
      let message = response.statusText;
      try { message = (await response.json()).error; } catch { /* not JSON */ }
      $('overlay').dataset.state = 'error';
      setStatus(`${response.status}: ${message}`, true);
      return;
    }
    const answer = await response.arrayBuffer();
    state.labels = await decode(kindOf(state.file, answer), answer);
    draw();
    const h = (name) => response.headers.get(name);
    $('latency').textContent = `L${h('X-Depth')}: ${elapsed.toFixed(0)} ms round trip, ${h('X-Inference-Ms')} ms on the server; ${Number(h('X-Foreground-Voxels')).toLocaleString('en')} foreground voxels`;
    setStatus(`${state.file}: ${h('X-Shape')}`);
    $('overlay').dataset.state = 'done';
  } catch (e) {
    $('overlay').dataset.state = 'error';
    setStatus('failed: ' + e.message, true);
  }
}

async function openFile(file) {
  state.file = file.name;
  state.bytes = await file.arrayBuffer();
  state.kind = kindOf(file.name, state.bytes);
  state.labels = null;
  $('latency').textContent = '';
  try {
    state.image = await decode(state.kind, state.bytes);
  } catch (e) {
    state.image = null;
    setStatus(`${file.name}: ${e.message}`, true);
    return;
  }
  $('slice').max = String(state.image.depth - 1);
  $('slice').value = String(Math.floor(state.image.depth / 2));
  $('slice-row').hidden = state.image.depth <= 1;
  draw();
  await segment();
}

$('file').addEventListener('change', () => { if ($('file').files.length) openFile($('file').files[0]); });
$('depth').addEventListener('change', () => { $('depth').dataset.touched = '1'; segment(); });
$('tta').addEventListener('change', segment);
$('slice').addEventListener('input', draw);
$('opacity').addEventListener('input', draw);
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer.files.length) openFile(e.dataTransfer.files[0]);
});
describeModel();
