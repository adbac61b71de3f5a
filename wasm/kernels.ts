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
/** Depth of one block of the product: a packed 8-column panel of B is 8 KiB, in L1. */
const KC: i32 = 256;

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
  let row = out;
  if (!first) {
    c00 = f32x4.add(c00, v128.load(row));
    c01 = f32x4.add(c01, v128.load(row, 16));
  }
  v128.store(row, c00);
  v128.store(row, c01, 16);
  row += step;
  if (!first) {
    c10 = f32x4.add(c10, v128.load(row));
    c11 = f32x4.add(c11, v128.load(row, 16));
  }
  v128.store(row, c10);
  v128.store(row, c11, 16);
  row += step;
  if (!first) {
    c20 = f32x4.add(c20, v128.load(row));
    c21 = f32x4.add(c21, v128.load(row, 16));
  }
  v128.store(row, c20);
  v128.store(row, c21, 16);
  row += step;
  if (!first) {
    c30 = f32x4.add(c30, v128.load(row));
    c31 = f32x4.add(c31, v128.load(row, 16));
  }
  v128.store(row, c30);
  v128.store(row, c31, 16);
  if (!whole) {
    for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) store<f32>(at(c, r * ldc + q), load<f32>(at(edge, r * NR + q)));
  }
}

/** Floats of scratch that `gemm` needs for `rows` rows. */
export function gemmScratch(rows: i32): i32 {
  return ((rows + MR - 1) / MR) * MR * KC + NR * KC + MR * NR;
}

/**
 * C[i0:i1, j0:j1] of C = op(A)·op(B), C m×n; op(A) m×k (A stored k×m when
 * transA), op(B) k×n (B stored n×k when transB). All row-major float32.
 * i0 is a multiple of MR and j0 of NR; `scratch` holds gemmScratch(i1 − i0) floats.
 * Each tile then gets biasActivation's bias and activation while it is in
 * the cache (none with bias 0 and activation 0).
 */
export function gemm(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize, bias: usize, activation: i32, alpha: f32,
): void {
  if (i0 >= i1 || j0 >= j1) return;
  const panels = (i1 - i0 + MR - 1) / MR;
  const pa = scratch;
  const pb = at(pa, panels * MR * KC);
  const edge = at(pb, NR * KC);
  const epilogue = bias != 0 || activation != 0;
  if (k == 0) {
    for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) store<f32>(at(c, i * n + j), 0);
    if (epilogue) biasActivation(c, n, i0, i1, j0, j1, bias, activation, alpha);
    return;
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    for (let ip = 0; ip < panels; ip++) packA(a, at(pa, ip * MR * kc), m, k, i0 + ip * MR, p0, kc, transA);
    for (let j = j0; j < j1; j += NR) {
      packB(b, pb, k, n, j, p0, kc, transB);
      const cols = min(NR, j1 - j);
      for (let ip = 0; ip < panels; ip++) {
        const i = i0 + ip * MR;
        const rows = min(MR, i1 - i);
        tile(at(pa, ip * MR * kc), pb, at(c, i * n + j), n, kc, rows, cols, p0 == 0, edge);
        if (epilogue && p0 + kc >= k) biasActivation(c, n, i, i + rows, j, j + cols, bias, activation, alpha);
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
