/**
 * A network as tf.keras 2 prints `model.summary()`: the same columns, widths
 * and totals, with thousands separators in the counts.
 */
import { formatCount, formatShape } from './catalog/shape';
import type { Network, NetworkLayer } from './shapes';

/** Keras's print_summary widths: 65 columns for a chain, 98 with "Connected to". */
const CHAIN_COLUMNS = [29, 55, 65];
const GRAPH_COLUMNS = [29, 58, 70, 98];

export function formatSummary(network: Network): string {
  const chain = network.sequential;
  const stops = chain ? CHAIN_COLUMNS : GRAPH_COLUMNS;
  const width = stops[stops.length - 1]!;
  const headers = ['Layer (type)', 'Output Shape', 'Param #', ...(chain ? [] : ['Connected to'])];
  const layers = network.layers.filter((layer) => layer.connected);
  const lines: string[] = [`Model: "${network.name}"`, '_'.repeat(width), row(headers, stops), '='.repeat(width)];
  layers.forEach((layer, index) => {
    const connections = chain ? [] : layer.inbound.map((name) => `'${name}[0][0]'`);
    const cells = [`${layer.name} (${layer.type === 'Input' ? 'InputLayer' : layer.type})`, shapeCell(layer), paramCell(layer)];
    if (!chain) cells.push(connections.length <= 1 ? `[${connections.join('')}]` : `[${connections[0]},`);
    lines.push(row(cells, stops));
    for (let i = 1; i < connections.length; i++) {
      const cell = ` ${connections[i]}${i === connections.length - 1 ? ']' : ','}`;
      lines.push(row(['', '', '', cell], stops));
    }
    if (index < layers.length - 1) lines.push(' '.repeat(width));
  });
  lines.push('='.repeat(width));
  const params = network.params;
  if (params) {
    lines.push(`Total params: ${formatCount(params.total)} (${memorySize(params.total)})`);
    lines.push(`Trainable params: ${formatCount(params.trainable)} (${memorySize(params.trainable)})`);
    lines.push(`Non-trainable params: ${formatCount(params.nonTrainable)} (${memorySize(params.nonTrainable)})`);
  } else {
    lines.push('Total params: unknown (fix the errors above the unknown shapes)');
  }
  lines.push('_'.repeat(width));
  return lines.join('\n') + '\n';
}

function shapeCell(layer: NetworkLayer): string {
  if (!layer.outputShape) return '?';
  const shape = formatShape(layer.outputShape);
  return layer.type === 'Input' ? `[${shape}]` : shape;
}

function paramCell(layer: NetworkLayer): string {
  return layer.params ? formatCount(layer.params.trainable + layer.params.nonTrainable) : '?';
}

/** Cells padded to their column stops, the first indented by one space as Keras does; an overflowing cell keeps one space before the next. */
function row(cells: string[], stops: number[]): string {
  let line = '';
  cells.forEach((cell, i) => {
    line += i === 0 ? ` ${cell}` : cell;
    const minimum = i === cells.length - 1 ? 0 : 1;
    line += ' '.repeat(Math.max(minimum, stops[i]! - line.length));
  });
  return line;
}

/** Keras's readable_memory_size for float32 weights: `5.59 MB`. */
function memorySize(count: number): string {
  const units = ['Byte', 'KB', 'MB', 'GB', 'TB'];
  let size = count * 4;
  for (const unit of units) {
    if (size / 1024 < 1 || unit === 'TB') return `${size.toFixed(2)} ${unit}`;
    size /= 1024;
  }
  return `${size.toFixed(2)} TB`;
}
