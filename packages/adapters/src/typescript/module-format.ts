import { dirname, extname, join } from 'node:path';
import type { FileReader } from './file-system';

/**
 * Which module system runs a user's file, decided as Node and TypeScript's `NodeNext` decide it: `.mts`/`.mjs` are ES
 * modules and `.cts`/`.cjs` CommonJS whatever the package says; any other file follows the `"type"` of the nearest
 * `package.json` (`"module"`: ES module; none, or anything else: CommonJS).
 */
export type ModuleFormat = 'module' | 'commonjs';

export class ModuleFormatReader {
  /** Folder -> the `"type"` of the nearest package.json at or above it. */
  private readonly scopes = new Map<string, ModuleFormat>();

  constructor(private readonly files: FileReader) {}

  formatOf(file: string): ModuleFormat {
    const extension = extname(file);
    if (extension === '.mts' || extension === '.mjs') return 'module';
    if (extension === '.cts' || extension === '.cjs') return 'commonjs';
    return this.scopeOf(dirname(file));
  }

  private scopeOf(directory: string): ModuleFormat {
    const visited: string[] = [];
    let format: ModuleFormat | undefined;
    for (let current = directory; ; current = dirname(current)) {
      format = this.scopes.get(current);
      if (format !== undefined) break;
      visited.push(current);
      const text = this.files.readText(join(current, 'package.json'));
      if (text !== undefined) {
        format = typeOf(text);
        break;
      }
      if (dirname(current) === current) {
        format = 'commonjs';
        break;
      }
    }
    for (const folder of visited) this.scopes.set(folder, format);
    return format;
  }
}

/** A package.json Node cannot parse fails Node's own loading too; here it counts as CommonJS, Node's default. */
function typeOf(packageJson: string): ModuleFormat {
  try {
    return (JSON.parse(packageJson) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs';
  } catch {
    return 'commonjs';
  }
}
