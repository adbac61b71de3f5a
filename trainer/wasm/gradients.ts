/**
 * The gradients of Sum and Mean without `tf.ones`. tfjs's multiply the
 * reshaped gradient by a tensor of ones of the input's shape, which tf.ones
 * fills in JavaScript and uploads to the heap: for batch normalization's
 * statistics over a [64, 26, 26, 32] activation, 4% of a step of the digits
 * CNN went to filling ones (a CPU profile of the trainer). On wasm the
 * gradient is the same values broadcast by Tile (one block copied, then
 * repeated) and, for Mean, divided by the count; on other backends it is
 * tfjs's own, so their numbers do not change.
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs's gradient of `kernelName` (Sum or Mean), replaced by one that broadcasts on wasm. */
export function broadcastingGradient(kernelName: typeof tf.Sum | typeof tf.Mean): tf.GradConfig {
  const original = tf.getGradient(kernelName);
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm' || Array.isArray(dy)) return original.gradFunc(dy, saved, attrs);
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((dim, axis) => (axes.includes(axis) ? 1 : dim));
      const count = axes.reduce((size, axis) => size * x.shape[axis]!, 1);
      return {
        x: () => {
          const spread = tf.broadcastTo(tf.reshape(dy, expanded), x.shape);
          return kernelName === tf.Mean ? tf.div(spread, count) : spread;
        },
      };
    },
  };
}
