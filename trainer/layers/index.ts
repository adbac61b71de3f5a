/**
 * Keras layers that tfjs-layers lacks. Importing this module registers them
 * with tfjs's serialization, so a saved model.json that uses them loads again.
 */
import * as tf from '@tensorflow/tfjs';
import { RandomLayer } from './augmentation';
import { Maxout } from './maxout';
import { RandomBrightness } from './random-brightness';
import { RandomContrast } from './random-contrast';
import { RandomFlip } from './random-flip';
import { RandomRotation } from './random-rotation';
import { RandomTranslation } from './random-translation';
import { RandomZoom } from './random-zoom';
import { Subtract } from './subtract';

export { Maxout, type MaxoutArgs } from './maxout';
export { Subtract } from './subtract';
export { RandomFlip, type RandomFlipArgs, type FlipMode } from './random-flip';
export { RandomRotation, type RandomRotationArgs } from './random-rotation';
export { RandomTranslation, type RandomTranslationArgs } from './random-translation';
export { RandomZoom, type RandomZoomArgs } from './random-zoom';
export { RandomBrightness, type RandomBrightnessArgs } from './random-brightness';
export { RandomContrast, type RandomContrastArgs } from './random-contrast';
export type { Factor, FillMode, Interpolation, ImageTransformArgs, RandomLayerArgs } from './augmentation';

/** Every custom layer class, by its Keras class name. */
export const CUSTOM_LAYERS = {
  Maxout,
  Subtract,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
  RandomBrightness,
  RandomContrast,
} as const;

for (const cls of Object.values(CUSTOM_LAYERS)) tf.serialization.registerClass(cls);

/**
 * The class names of the random augmentation layers: the identity outside
 * training, so a model saved for inference leaves them out (trainer/inference.ts).
 */
export const AUGMENTATION_LAYERS: readonly string[] = Object.values(CUSTOM_LAYERS)
  .filter((cls) => cls.prototype instanceof RandomLayer)
  .map((cls) => cls.className);
