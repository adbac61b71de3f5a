// The trainer's own WebAssembly kernels, in AssemblyScript (`npm run wasm`
// compiles them into trainer/wasm/binaries.ts). They import the wasm
// backend's memory and work on its tensors where they are: every pointer is
// a byte offset into that heap. No static data, no allocation, no stack:
// nothing of this module is kept in the heap it shares.
//
// Built four times: with and without relaxed SIMD (a fused multiply-add),
// for a shared memory (the backend's threaded build) and for an unshared one.

/** Rows and columns of the product's register tile: 8 accumulators of 4 lanes. */
const MR: i32 = 4;
const NR: i32 = 8;
/**
 * Depth of one block of the product: about KC, the depth split evenly (784
 * as 4 × 196, not 3 × 256 + 16, whose last block would load and store C for
 * little work), at most KC_MAX (a packed 8-column panel of B is then 10 KiB, in L1).
 */
const KC: i32 = 256;
const KC_MAX: i32 = 320;

@inline function blockDepth(k: i32): i32 {
  if (k <= KC_MAX) return k;
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Rows [i0, i0+MR) of A over depth [p0, p0+kc), as kc groups of MR; rows past m are zero. */
function packA(a: usize, pa: usize, m: i32, k: i32, i0: i32, p0: i32, kc: i32, transA: i32): void {
  const rows = min(MR, m - i0);
  if (transA && rows == MR) {
    // Stored k×m: the MR values of a depth are side by side.
    for (let p = 0; p < kc; p++) v128.store(at(pa, p * MR), v128.load(at(a, (p0 + p) * m + i0)));
    return;
  }
  for (let p = 0; p < kc; p++) {
    const q = p0 + p;
    for (let r = 0; r < MR; r++) {
      let v: f32 = 0;
      if (r < rows) v = transA ? load<f32>(at(a, q * m + i0 + r)) : load<f32>(at(a, (i0 + r) * k + q));
      store<f32>(at(pa, p * MR + r), v);
    }
  }
}

/** Columns [j0, j0+NR) of B over depth [p0, p0+kc), as kc groups of NR; columns past n are zero. */
function packB(b: usize, pb: usize, k: i32, n: i32, j0: i32, p0: i32, kc: i32, transB: i32): void {
  const cols = min(NR, n - j0);
  if (!transB && cols == NR) {
    for (let p = 0; p < kc; p++) {
      const src = at(b, (p0 + p) * n + j0);
      const dst = at(pb, p * NR);
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
    }
    return;
  }
  if (transB) {
    // Stored n×k: column j of B is row j, read along its depth.
    for (let c = 0; c < NR; c++) {
      if (c < cols) {
        const row = at(b, (j0 + c) * k + p0);
        for (let p = 0; p < kc; p++) store<f32>(at(pb, p * NR + c), load<f32>(at(row, p)));
      } else {
        for (let p = 0; p < kc; p++) store<f32>(at(pb, p * NR + c), 0);
      }
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const row = at(b, (p0 + p) * n + j0);
    for (let c = 0; c < NR; c++) store<f32>(at(pb, p * NR + c), c < cols ? load<f32>(at(row, c)) : 0);
  }
}

/** One row of a tile, its two vectors written, or added to what the row holds. */
@inline function storeRow(row: usize, low: v128, high: v128, accumulate: bool): void {
  if (accumulate) {
    low = f32x4.add(low, v128.load(row));
    high = f32x4.add(high, v128.load(row, 16));
  }
  v128.store(row, low);
  v128.store(row, high, 16);
}

/**
 * One MR×NR tile of C from packed panels over kc of depth: written when
 * `first`, else added to what C holds. A tile cut by C's edge goes through
 * `edge` (MR×NR floats).
 */
function tile(pa: usize, pb: usize, c: usize, ldc: i32, kc: i32, rows: i32, cols: i32, first: bool, edge: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += MR << 2;
    pb += NR << 2;
  }
  const whole = rows == MR && cols == NR;
  if (!whole && !first) {
    for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) store<f32>(at(edge, r * NR + q), load<f32>(at(c, r * ldc + q)));
  }
  const out = whole ? c : edge;
  const step: usize = whole ? <usize>ldc << 2 : <usize>NR << 2;
  storeRow(out, c00, c01, !first);
  storeRow(out + step, c10, c11, !first);
  storeRow(out + 2 * step, c20, c21, !first);
  storeRow(out + 3 * step, c30, c31, !first);
  if (!whole) {
    for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) store<f32>(at(c, r * ldc + q), load<f32>(at(edge, r * NR + q)));
  }
}

/** Rows of A packed at a time: with KC of depth, 128 KiB, in the second-level cache. */
const MC: i32 = 128;

/** Floats of scratch that `gemm` needs for a part of `cols` columns. */
export function gemmScratch(cols: i32): i32 {
  return MC * KC_MAX + KC_MAX * ((cols + NR - 1) / NR) * NR + MR * NR;
}

/**
 * C[i0:i1, j0:j1] of C = op(A)·op(B), C m×n; op(A) m×k (A stored k×m when
 * transA), op(B) k×n (B stored n×k when transB). All row-major float32.
 * i0 is a multiple of MR and j0 of NR; `scratch` holds gemmScratch(j1 − j0) floats.
 * Each tile then gets biasActivation's bias and activation while it is in
 * the cache (none with bias 0 and activation 0).
 *
 * Per KC of depth: every 8-column panel of B is packed once; then per MC
 * rows, A is packed and each panel of B meets every row tile of them.
 */
export function gemm(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize, bias: usize, activation: i32, alpha: f32,
): void {
  if (i0 >= i1 || j0 >= j1) return;
  const pa = scratch;
  const pb = at(pa, MC * KC_MAX);
  const panels = (j1 - j0 + NR - 1) / NR;
  const edge = at(pb, KC_MAX * panels * NR);
  const depth = blockDepth(k);
  const epilogue = bias != 0 || activation != 0;
  if (k == 0) {
    for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) store<f32>(at(c, i * n + j), 0);
    if (epilogue) biasActivation(c, n, i0, i1, j0, j1, bias, activation, alpha);
    return;
  }
  for (let p0 = 0; p0 < k; p0 += depth) {
    const kc = min(depth, k - p0);
    for (let jp = 0; jp < panels; jp++) packB(b, at(pb, jp * NR * kc), k, n, j0 + jp * NR, p0, kc, transB);
    for (let ic = i0; ic < i1; ic += MC) {
      const rowEnd = min(i1, ic + MC);
      const rowPanels = (rowEnd - ic + MR - 1) / MR;
      for (let ip = 0; ip < rowPanels; ip++) packA(a, at(pa, ip * MR * kc), m, k, ic + ip * MR, p0, kc, transA);
      for (let jp = 0; jp < panels; jp++) {
        const j = j0 + jp * NR;
        const cols = min(NR, j1 - j);
        const panel = at(pb, jp * NR * kc);
        for (let ip = 0; ip < rowPanels; ip++) {
          const i = ic + ip * MR;
          const rows = min(MR, rowEnd - i);
          tile(at(pa, ip * MR * kc), panel, at(c, i * n + j), n, kc, rows, cols, p0 == 0, edge);
          if (epilogue && p0 + kc >= k) biasActivation(c, n, i, i + rows, j, j + cols, bias, activation, alpha);
        }
      }
    }
  }
}

/**
 * C[i0:i1, j0:j1] += bias (n floats, none when 0), then the activation:
 * 0 linear, 1 relu, 2 relu6, 3 leaky relu of slope `alpha`.
 */
export function biasActivation(c: usize, n: i32, i0: i32, i1: i32, j0: i32, j1: i32, bias: usize, activation: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  const six = f32x4.splat(6);
  const slope = f32x4.splat(alpha);
  for (let i = i0; i < i1; i++) {
    const row = at(c, i * n);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      let x = v128.load(at(row, j));
      if (bias) x = f32x4.add(x, v128.load(at(bias, j)));
      if (activation == 1) x = f32x4.max(x, zero);
      else if (activation == 2) x = f32x4.min(f32x4.max(x, zero), six);
      else if (activation == 3) x = v128.bitselect(x, f32x4.mul(x, slope), f32x4.gt(x, zero));
      v128.store(at(row, j), x);
    }
    for (; j < j1; j++) {
      let x = load<f32>(at(row, j));
      if (bias) x += load<f32>(at(bias, j));
      if (activation == 1) x = max(x, 0);
      else if (activation == 2) x = min(max(x, 0), 6);
      else if (activation == 3) x = x > 0 ? x : x * alpha;
      store<f32>(at(row, j), x);
    }
  }
}

/**
 * Adam's step on elements [start, end) of a variable, in float32 as tfjs's
 * kernels compute it: m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g²,
 * w' = w − step·m' / (√v'·scale + ε), with step = lr/(1−β1^t) and
 * scale = 1/√(1−β2^t).
 */
export function adam(w: usize, g: usize, m: usize, v: usize, wOut: usize, mOut: usize, vOut: usize, start: i32, end: i32, beta1: f32, beta2: f32, step: f32, scale: f32, epsilon: f32): void {
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const k1 = f32x4.splat(1 - beta1);
  const k2 = f32x4.splat(1 - beta2);
  const lr = f32x4.splat(step);
  const sc = f32x4.splat(scale);
  const eps = f32x4.splat(epsilon);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const gi = v128.load(at(g, i));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(at(m, i))), f32x4.mul(k1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(at(v, i))), f32x4.mul(k2, f32x4.mul(gi, gi)));
    v128.store(at(mOut, i), mi);
    v128.store(at(vOut, i), vi);
    const denominator = f32x4.add(f32x4.mul(f32x4.sqrt(vi), sc), eps);
    v128.store(at(wOut, i), f32x4.sub(v128.load(at(w, i)), f32x4.div(f32x4.mul(lr, mi), denominator)));
  }
  for (; i < end; i++) {
    const gi = load<f32>(at(g, i));
    const mi = beta1 * load<f32>(at(m, i)) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(at(v, i)) + (1 - beta2) * gi * gi;
    store<f32>(at(mOut, i), mi);
    store<f32>(at(vOut, i), vi);
    store<f32>(at(wOut, i), load<f32>(at(w, i)) - (step * mi) / (sqrt<f32>(vi) * scale + epsilon));
  }
}

/** out[c] = Σ_r x[r, c] over rows [0, rows), for c in [0, cols): a reduction over leading axes. */
export function columnSums(x: usize, rows: i32, cols: i32, out: usize, scale: f32): void {
  const vectorEnd = cols & ~3;
  for (let c = 0; c < vectorEnd; c += 4) v128.store(at(out, c), f32x4.splat(0));
  for (let c = vectorEnd; c < cols; c++) store<f32>(at(out, c), 0);
  for (let r = 0; r < rows; r++) {
    const row = at(x, r * cols);
    for (let c = 0; c < vectorEnd; c += 4) v128.store(at(out, c), f32x4.add(v128.load(at(out, c)), v128.load(at(row, c))));
    for (let c = vectorEnd; c < cols; c++) store<f32>(at(out, c), load<f32>(at(out, c)) + load<f32>(at(row, c)));
  }
  if (scale != 1) {
    const s = f32x4.splat(scale);
    for (let c = 0; c < vectorEnd; c += 4) v128.store(at(out, c), f32x4.mul(v128.load(at(out, c)), s));
    for (let c = vectorEnd; c < cols; c++) store<f32>(at(out, c), load<f32>(at(out, c)) * scale);
  }
}

/** dst[0, n) += src[0, n). */
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(dst, i)), v128.load(at(src, i))));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(dst, i)) + load<f32>(at(src, i)));
}

/**
 * The patches of a 2-D convolution over an NHWC input without dilation, one
 * row of fH·fW·inC values per output pixel (im2col), or the way back
 * (col2im: `toInput`, adding each patch value into the input's gradient,
 * which starts at zero). Padding reads as zero.
 */
export function patches(
  x: usize, cols: usize, toInput: i32, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  const rowLength = fW * inC;
  if (toInput) memory.fill(x, 0, <usize>(batch * inH * inW * inC) << 2);
  let patch = cols;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const left = ow * strideW - padLeft;
        // The filter columns [first, last) that fall inside the input.
        const first = max(0, -left);
        const last = min(fW, inW - left);
        for (let kh = 0; kh < fH; kh++) {
          const ih = oh * strideH - padTop + kh;
          if (ih < 0 || ih >= inH || first >= last) {
            if (!toInput) memory.fill(patch, 0, <usize>rowLength << 2);
          } else {
            const inside = at(x, ((b * inH + ih) * inW + left + first) * inC);
            const length = (last - first) * inC;
            if (toInput) addInto(inside, at(patch, first * inC), length);
            else {
              if (first > 0) memory.fill(patch, 0, <usize>(first * inC) << 2);
              memory.copy(at(patch, first * inC), inside, <usize>length << 2);
              if (last < fW) memory.fill(at(patch, last * inC), 0, <usize>((fW - last) * inC) << 2);
            }
          }
          patch = at(patch, rowLength);
        }
      }
    }
  }
}

/**
 * MaxPoolGrad over NHWC: dx (zeroed here) gets each output's dy at the
 * first maximum of its window, in window order, as on the cpu backend.
 * Four channels at a time where the channels come in fours.
 */
export function maxPoolGrad(
  x: usize, dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
): void {
  memory.fill(dx, 0, <usize>(batch * inH * inW * channels) << 2);
  const vectorEnd = channels & ~3;
  const lanes = i32x4(0, 1, 2, 3);
  let d = dy;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let c = 0; c < vectorEnd; c += 4) {
          let best = f32x4.splat(-Infinity);
          let where = i32x4.splat(-1);
          for (let kh = 0; kh < fH; kh += dilationH) {
            const ih = oh * strideH - padTop + kh;
            if (ih < 0 || ih >= inH) continue;
            for (let kw = 0; kw < fW; kw += dilationW) {
              const iw = ow * strideW - padLeft + kw;
              if (iw < 0 || iw >= inW) continue;
              const index = ((b * inH + ih) * inW + iw) * channels + c;
              const value = v128.load(at(x, index));
              const greater = f32x4.gt(value, best);
              best = v128.bitselect(value, best, greater);
              where = v128.bitselect(i32x4.add(i32x4.splat(index), lanes), where, greater);
            }
          }
          let w = i32x4.extract_lane(where, 0);
          if (w >= 0) store<f32>(at(dx, w), load<f32>(at(dx, w)) + load<f32>(at(d, c)));
          w = i32x4.extract_lane(where, 1);
          if (w >= 0) store<f32>(at(dx, w), load<f32>(at(dx, w)) + load<f32>(at(d, c + 1)));
          w = i32x4.extract_lane(where, 2);
          if (w >= 0) store<f32>(at(dx, w), load<f32>(at(dx, w)) + load<f32>(at(d, c + 2)));
          w = i32x4.extract_lane(where, 3);
          if (w >= 0) store<f32>(at(dx, w), load<f32>(at(dx, w)) + load<f32>(at(d, c + 3)));
        }
        for (let c = vectorEnd; c < channels; c++) {
          let best: f32 = -Infinity;
          let where: i32 = -1;
          for (let kh = 0; kh < fH; kh += dilationH) {
            const ih = oh * strideH - padTop + kh;
            if (ih < 0 || ih >= inH) continue;
            for (let kw = 0; kw < fW; kw += dilationW) {
              const iw = ow * strideW - padLeft + kw;
              if (iw < 0 || iw >= inW) continue;
              const index = ((b * inH + ih) * inW + iw) * channels + c;
              const value = load<f32>(at(x, index));
              if (value > best) {
                best = value;
                where = index;
              }
            }
          }
          if (where >= 0) store<f32>(at(dx, where), load<f32>(at(dx, where)) + load<f32>(at(d, c)));
        }
        d = at(d, channels);
      }
    }
  }
}

/**
 * Batch normalization's forward pass over [rows, C]: y = (x − mean)·a + offset
 * with a = scale / √(variance + ε), per channel (no offset or scale when 0).
 * `perChannel` holds C floats of scratch for a.
 */
export function batchNorm(x: usize, y: usize, rows: i32, channels: i32, mean: usize, variance: usize, offset: usize, scale: usize, epsilon: f32, perChannel: usize): void {
  for (let c = 0; c < channels; c++) {
    const gamma: f32 = scale ? load<f32>(at(scale, c)) : 1;
    store<f32>(at(perChannel, c), gamma / sqrt<f32>(load<f32>(at(variance, c)) + epsilon));
  }
  const vectorEnd = channels & ~3;
  for (let r = 0; r < rows; r++) {
    const from = at(x, r * channels);
    const to = at(y, r * channels);
    for (let c = 0; c < vectorEnd; c += 4) {
      let v = f32x4.mul(f32x4.sub(v128.load(at(from, c)), v128.load(at(mean, c))), v128.load(at(perChannel, c)));
      if (offset) v = f32x4.add(v, v128.load(at(offset, c)));
      v128.store(at(to, c), v);
    }
    for (let c = vectorEnd; c < channels; c++) {
      let v = (load<f32>(at(from, c)) - load<f32>(at(mean, c))) * load<f32>(at(perChannel, c));
      if (offset) v += load<f32>(at(offset, c));
      store<f32>(at(to, c), v);
    }
  }
}

@inline function apply4(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

@inline function apply1(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return x / y;
}

/**
 * out = a op b over elements [start, end), op 0 add, 1 subtract, 2 multiply,
 * 3 divide. `aStride`/`bStride`: the operand's length when it repeats (one
 * value per channel of the last axis: its size; a scalar: 1), 0 when it is
 * as long as the result. A repeating operand's `start` is a multiple of its length.
 */
export function binary(op: i32, a: usize, b: usize, out: usize, start: i32, end: i32, aLength: i32, bLength: i32): void {
  if (aLength == 0 && bLength == 0) {
    let i = start;
    for (; i + 4 <= end; i += 4) v128.store(at(out, i), apply4(op, v128.load(at(a, i)), v128.load(at(b, i))));
    for (; i < end; i++) store<f32>(at(out, i), apply1(op, load<f32>(at(a, i)), load<f32>(at(b, i))));
    return;
  }
  if (aLength == 1 || bLength == 1) {
    const scalarA = aLength == 1;
    const s = load<f32>(scalarA ? a : b);
    const sv = f32x4.splat(s);
    const full = scalarA ? b : a;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const v = v128.load(at(full, i));
      v128.store(at(out, i), scalarA ? apply4(op, sv, v) : apply4(op, v, sv));
    }
    for (; i < end; i++) {
      const v = load<f32>(at(full, i));
      store<f32>(at(out, i), scalarA ? apply1(op, s, v) : apply1(op, v, s));
    }
    return;
  }
  // One operand repeats per row of `length` values (a channel vector).
  const length = aLength > 0 ? aLength : bLength;
  const repeatsA = aLength > 0;
  const full = repeatsA ? b : a;
  const vector = repeatsA ? a : b;
  const vectorEnd = length & ~3;
  for (let row = start; row < end; row += length) {
    for (let c = 0; c < vectorEnd; c += 4) {
      const v = v128.load(at(full, row + c));
      const w = v128.load(at(vector, c));
      v128.store(at(out, row + c), repeatsA ? apply4(op, w, v) : apply4(op, v, w));
    }
    for (let c = vectorEnd; c < length; c++) {
      const v = load<f32>(at(full, row + c));
      const w = load<f32>(at(vector, c));
      store<f32>(at(out, row + c), repeatsA ? apply1(op, w, v) : apply1(op, v, w));
    }
  }
}
