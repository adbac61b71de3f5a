/**
 * File-system failures in words. Node's errors name a code and a system
 * call ("ENOSPC: no space left on device, write") and often not the file,
 * or the wrong cause: a recursive mkdir under a regular file says ENOENT.
 * Here every failure names the file it was about and what is wrong with it,
 * looking at the path's folders where the code alone does not tell.
 */
import { statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/** A file operation that failed, its message naming the file and the cause. */
export class FileError extends Error {
  override readonly name = 'FileError';

  constructor(
    message: string,
    /** The file or folder the operation was about. */
    readonly path: string,
    /** Node's error code (ENOSPC, EACCES, …), when there was one. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * `doing` and `path` with the cause in words, for example "cannot create the
 * run folder /p/runs/M/2024-…: /p/runs is a file, not a folder" or "cannot
 * write /p/history.json: no space left on the device". The cause names
 * another path where it lies elsewhere, and says "it" for `path` itself.
 */
export function fileError(error: unknown, doing: string, path: string): FileError {
  if (error instanceof FileError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return new FileError(`${doing} ${path}: ${fileProblem(error, path)}`, path, code);
}

/** What is wrong with `path`, given the error an operation on it raised. */
export function fileProblem(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EEXIST': {
      // Each can mean that a file stands where a folder should (Node's recursive mkdir reports that as ENOENT).
      const blocking = fileInTheWay(path) ?? (code !== 'ENOENT' && statOf(path)?.isDirectory() === false ? path : undefined);
      if (blocking) return `${blocking === path ? 'it' : blocking} is a file, not a folder`;
      if (code === 'EEXIST') return 'it already exists';
      const missing = highestMissing(path);
      return missing === path ? 'no such file or folder' : `the folder ${missing} does not exist`;
    }
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return `permission denied${placeOf(path)}`;
    case 'EROFS':
      return `${nearestExisting(path)} is on a read-only file system`;
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EFBIG':
      return 'the file would be larger than the file system allows';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open';
    case 'EIO':
      return 'the device reported an input/output error';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'its symbolic links form a loop';
    case 'EBUSY':
    case 'ETXTBSY':
      return 'it is in use by another program';
    case 'ENXIO':
    case 'ENODEV':
      return 'it is a device or socket with nothing behind it';
  }
  return error instanceof Error ? error.message : String(error);
}

/** Where permission was refused: the path itself when it exists, else the folder that holds where it would be. */
function placeOf(path: string): string {
  const existing = nearestExisting(path);
  return existing === path ? '' : ` in ${existing}`;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The path itself or its nearest folder above that exists. */
function nearestExisting(path: string): string {
  let at = path;
  while (!statOf(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/** The first thing above `path` that exists and is not a folder, if one is. */
function fileInTheWay(path: string): string | undefined {
  const existing = nearestExisting(dirname(path));
  const stats = statOf(existing);
  return stats && !stats.isDirectory() ? existing : undefined;
}

/** The topmost missing folder on the way to `path` (`path` itself when only it is missing). */
function highestMissing(path: string): string {
  let missing = path;
  for (let at = dirname(path); at !== dirname(at) && !statOf(at); at = dirname(at)) missing = at;
  return missing;
}
