/**
 * A folder of images sorted into class folders, as Keras's
 * `image_dataset_from_directory` reads one: each sub-folder is a class, the
 * classes in sorted order; the images are the files below a class folder
 * (at any depth) with an image extension, in sorted order; other files, and
 * files beside the class folders, are ignored. The checker (through the
 * data host) and the trainer list a folder with the same function, so both
 * see the same classes.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { DataFileProblem } from '../core';

/** The extensions Keras lists (case-insensitive); of these, `.bmp` and `.gif` are listed but cannot be decoded: the trainer says so, naming the file. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.bmp', '.gif'];

export interface ImageClassListing {
  /** The class folder's name: the class. */
  name: string;
  /** The images' paths relative to the class folder, sorted. */
  files: string[];
}

export interface ImageFolderListing {
  /** Sorted by name, by code unit (as Python's `sorted`), the same in every locale. */
  classes: ImageClassListing[];
}

/** Thrown when a listing passes its `limit` of files: the folder is too large to list for a check. */
export class TooManyFiles extends Error {
  override readonly name = 'TooManyFiles';
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/**
 * Lists `dir`'s class folders and their images. A path that is missing or
 * not a directory comes back as the core's problem; other failures throw.
 * Symbolic links to folders are not followed (Keras's `follow_links=False`).
 * Past `limit` files in all, it throws TooManyFiles.
 */
export async function listImageFolder(dir: string, limit = Infinity): Promise<ImageFolderListing | DataFileProblem> {
  let root: Dirent[];
  try {
    const stats = await stat(dir);
    if (!stats.isDirectory()) return { problem: 'not-regular', detail: stats.isFile() ? 'a file' : 'not a directory' };
    root = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'missing' };
    if (code === 'EACCES' || code === 'EPERM') return { problem: 'unreadable', detail: 'permission denied' };
    throw error;
  }
  const classes: ImageClassListing[] = [];
  let total = 0;
  for (const entry of root.filter((candidate) => candidate.isDirectory()).sort((a, b) => byCodeUnit(a.name, b.name))) {
    const files: string[] = [];
    // Iterative, depth first: folders nest as deep as the user made them.
    const pending = [''];
    while (pending.length > 0) {
      const relative = pending.pop()!;
      const children = await readdir(join(dir, entry.name, relative), { withFileTypes: true });
      for (const child of children) {
        const path = relative === '' ? child.name : `${relative}/${child.name}`;
        if (child.isDirectory()) pending.push(path);
        else if ((child.isFile() || child.isSymbolicLink()) && isImageFile(child.name)) {
          files.push(path);
          if (++total > limit) throw new TooManyFiles(`more than ${limit} images`);
        }
      }
    }
    classes.push({ name: entry.name, files: files.sort(byCodeUnit) });
  }
  return { classes };
}
