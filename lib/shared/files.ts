import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file below `dir` whose name `keep` accepts, at any depth, in order. */
export function filesUnder(dir: string, keep: (name: string) => boolean = () => true): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(file, keep) : keep(entry.name) ? [file] : [];
    })
    .sort();
}
