/**
 * Checking speed: a generated 2,000-layer file, checked in full, against
 * JSON.parse of the same model written as Keras's `model.to_json()` in the
 * same run. The ratio is the figure to watch; the target is at most 5×.
 */
import { analyze, type Network, type NetworkLayer } from '../core';

/** A functional model of `layers` layers: dense blocks with skip connections, normalization and dropout. */
export function generateLargeModel(layers: number): string {
  const lines = ['model Large {', '  input features: [256]', '  h0 = features -> Dense(256, activation=relu)'];
  let count = 1;
  let block = 0;
  while (count < layers) {
    const previous = `h${block}`;
    block++;
    const remaining = layers - count;
    if (remaining >= 4) {
      lines.push(`  t${block} = ${previous} -> Dense(256, activation=relu) -> BatchNormalization() -> Dropout(0.1)`);
      lines.push(`  h${block} = (${previous}, t${block}) -> Add()`);
      count += 4;
    } else {
      lines.push(`  h${block} = ${previous} -> Dense(256)`);
      count += 1;
    }
  }
  lines.push(`  output h${block} -> Dense(10, activation=softmax)`, '}', '');
  return lines.join('\n');
}

const initializer = (name: string) => ({ class_name: name, config: { seed: null } });

/** The layer config Keras 2 writes for each layer type used by the generator. */
function kerasLayerConfig(layer: NetworkLayer): Record<string, unknown> {
  const base = { name: layer.name, trainable: true, dtype: 'float32' };
  const values = layer.args?.values ?? {};
  switch (layer.type) {
    case 'Input':
      return { batch_input_shape: layer.outputShape, dtype: 'float32', sparse: false, ragged: false, name: layer.name };
    case 'Dense':
      return {
        ...base,
        units: values['units'],
        activation: values['activation'],
        use_bias: true,
        kernel_initializer: initializer('GlorotUniform'),
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      };
    case 'BatchNormalization':
      return {
        ...base,
        axis: [1],
        momentum: 0.99,
        epsilon: 0.001,
        center: true,
        scale: true,
        beta_initializer: { class_name: 'Zeros', config: {} },
        gamma_initializer: { class_name: 'Ones', config: {} },
        moving_mean_initializer: { class_name: 'Zeros', config: {} },
        moving_variance_initializer: { class_name: 'Ones', config: {} },
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
      };
    case 'Dropout':
      return { ...base, rate: values['rate'], noise_shape: null, seed: null };
    default:
      return base;
  }
}

export function kerasJson(network: Network): string {
  const layers = network.layers.filter((layer) => layer.connected);
  return JSON.stringify({
    class_name: 'Functional',
    config: {
      name: network.name,
      trainable: true,
      layers: layers.map((layer) => ({
        class_name: layer.type === 'Input' ? 'InputLayer' : layer.type,
        config: kerasLayerConfig(layer),
        name: layer.name,
        inbound_nodes: layer.inbound.length ? [layer.inbound.map((name) => [name, 0, 0, {}])] : [],
      })),
      input_layers: network.inputs.map((layer) => [layer.name, 0, 0]),
      output_layers: network.outputs.map((layer) => [layer.name, 0, 0]),
    },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  });
}

export interface CheckSpeed {
  layers: number;
  bytes: number;
  jsonBytes: number;
  checkMedianMs: number;
  parseMedianMs: number;
  ratio: number;
}

export async function measureCheckSpeed(layerCount = 2000): Promise<CheckSpeed> {
  const text = generateLargeModel(layerCount);
  const analysis = analyze(text);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`generated model has errors: ${errors[0]!.message}`);
  const network = analysis.models[0]!.network;
  const layers = network.layers.filter((layer) => layer.type !== 'Input' && layer.connected).length;
  const json = kerasJson(network);

  // tinybench is an ES module; this file is CommonJS.
  const { Bench } = await import('tinybench');
  const bench = new Bench({ time: 2000, warmupTime: 500 });
  bench.add('check', () => void analyze(text)).add('JSON.parse', () => void JSON.parse(json));
  await bench.run();
  const median = (name: string): number => {
    const result = bench.getTask(name)?.result;
    if (!result || !('latency' in result)) throw new Error(`no result for ${name}`);
    return result.latency.p50;
  };
  const checkMedianMs = median('check');
  const parseMedianMs = median('JSON.parse');
  return { layers, bytes: text.length, jsonBytes: json.length, checkMedianMs, parseMedianMs, ratio: checkMedianMs / parseMedianMs };
}
