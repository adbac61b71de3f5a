/**
 * Activation functions, by their Keras names. TensorFlow.js names some of
 * them differently (hard_sigmoid is hardSigmoid) and lacks leaky_relu as an
 * activation string; the trainer maps them.
 */

export interface ActivationSpec {
  name: string;
  doc: string;
  /** TensorFlow.js's identifier, or undefined where the trainer supplies its own. */
  tfjsName?: string;
}

export const ACTIVATIONS: readonly ActivationSpec[] = [
  { name: 'linear', tfjsName: 'linear', doc: 'The identity: f(x) = x. The default of every layer that takes an activation.' },
  { name: 'relu', tfjsName: 'relu', doc: 'Rectified linear unit: max(x, 0).' },
  { name: 'relu6', tfjsName: 'relu6', doc: 'ReLU capped at 6: min(max(x, 0), 6).' },
  { name: 'elu', tfjsName: 'elu', doc: 'Exponential linear unit: x if x > 0, else exp(x) - 1.' },
  { name: 'selu', tfjsName: 'selu', doc: 'Scaled ELU, self-normalising with lecun_normal initialisation.' },
  { name: 'leaky_relu', doc: 'Leaky ReLU with slope 0.2 below zero (Keras\'s default). TensorFlow.js has no such activation string; the trainer adds the operation itself.' },
  { name: 'sigmoid', tfjsName: 'sigmoid', doc: 'Logistic sigmoid: 1 / (1 + exp(-x)), in (0, 1). With one unit, the output of a binary classifier.' },
  { name: 'hard_sigmoid', tfjsName: 'hardSigmoid', doc: 'Piecewise-linear approximation of the sigmoid.' },
  { name: 'tanh', tfjsName: 'tanh', doc: 'Hyperbolic tangent, in (-1, 1).' },
  { name: 'softmax', tfjsName: 'softmax', doc: 'Turns the last axis into probabilities that sum to 1: the output of a multi-class classifier.' },
  { name: 'softplus', tfjsName: 'softplus', doc: 'log(exp(x) + 1), a smooth ReLU.' },
  { name: 'softsign', tfjsName: 'softsign', doc: 'x / (|x| + 1).' },
  { name: 'swish', tfjsName: 'swish', doc: 'x · sigmoid(x) (also called SiLU).' },
  { name: 'gelu', tfjsName: 'gelu', doc: 'Gaussian error linear unit: x · Φ(x).' },
];

export const ACTIVATION_NAMES: readonly string[] = ACTIVATIONS.map((a) => a.name);
