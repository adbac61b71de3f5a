/**
 * The data host for Node: answers the core's questions about
 * data files from the file system, relative to the .net file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { DataHost } from '../core';

/** Enough bytes for any sane header row (a 28×28 image has 785 short names). */
const HEADER_BYTES = 1 << 16;

export function createFileDataHost(netFile: string): DataHost {
  const base = dirname(netFile);
  return {
    csvHeader(path) {
      let fd: number;
      try {
        fd = openSync(resolve(base, path), 'r');
      } catch {
        return 'missing';
      }
      try {
        const buffer = Buffer.alloc(HEADER_BYTES);
        const length = readSync(fd, buffer, 0, HEADER_BYTES, 0);
        const text = buffer.subarray(0, length).toString('utf8');
        const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
        const rows = parse(firstLine, { relax_quotes: true }) as string[][];
        return rows[0]?.map((name) => name.trim()) ?? [];
      } catch {
        return undefined;
      } finally {
        closeSync(fd);
      }
    },
  };
}
