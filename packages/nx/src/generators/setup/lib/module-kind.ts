import { joinPathFragments, type Tree } from '@nx/devkit';

export type ModuleKind = 'esm' | 'commonjs';

/**
 * How Node runs the project's `.ts`/`.js` files: ECMAScript modules when the nearest `package.json` at or above
 * the project root says `"type": "module"` (Nx 23's `ts` preset and `@nx/js:lib` write it), CommonJS otherwise.
 */
export function moduleKindOf(tree: Tree, projectRoot: string): ModuleKind {
  let folder = projectRoot.replace(/\/+$/, '');
  for (;;) {
    const manifest = joinPathFragments(folder, 'package.json');
    if (tree.exists(manifest)) {
      const type = (JSON.parse(tree.read(manifest, 'utf-8') ?? '{}') as { type?: string }).type;
      return type === 'module' ? 'esm' : 'commonjs';
    }
    if (folder === '' || folder === '.') return 'commonjs';
    const parent = folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '';
    folder = parent;
  }
}
