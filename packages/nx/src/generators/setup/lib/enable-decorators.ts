import { joinPathFragments, readJson, writeJson, type ProjectConfiguration, type Tree } from '@nx/devkit';

/**
 * The tsconfig files that compile a project's sources and tests, as Nx's generators name them. When the project
 * has none of them, its own `tsconfig.json` compiles it.
 */
const COMPILING_TSCONFIGS = ['tsconfig.lib.json', 'tsconfig.app.json', 'tsconfig.spec.json'];
/** swc configurations Nx writes for builds (`.swcrc`) and for Jest (`.spec.swcrc`). */
const SWC_CONFIGS = ['.swcrc', '.spec.swcrc'];

/**
 * TypeORM's decorators need `experimentalDecorators` and `emitDecoratorMetadata` wherever the entities compile
 * (TypeScript 5+ otherwise reads `@Entity()` as a standard decorator: TS1240/TS1241 on every column), and swc
 * needs the same switches in its own words. Returns the files changed; a file already set is left untouched.
 */
export function enableDecorators(tree: Tree, project: ProjectConfiguration): string[] {
  const changed: string[] = [];
  const tsconfigs = COMPILING_TSCONFIGS.map((name) => joinPathFragments(project.root, name)).filter((file) => tree.exists(file));
  const projectTsconfig = joinPathFragments(project.root, 'tsconfig.json');
  if (tsconfigs.length === 0 && tree.exists(projectTsconfig)) tsconfigs.push(projectTsconfig);
  for (const file of tsconfigs) {
    const json = readJson<{ compilerOptions?: Record<string, unknown> }>(tree, file);
    const options = json.compilerOptions ?? {};
    if (options['experimentalDecorators'] === true && options['emitDecoratorMetadata'] === true) continue;
    json.compilerOptions = { ...options, experimentalDecorators: true, emitDecoratorMetadata: true };
    writeJson(tree, file, json);
    changed.push(file);
  }
  for (const file of SWC_CONFIGS.map((name) => joinPathFragments(project.root, name)).filter((path) => tree.exists(path))) {
    const json = readJson<{ jsc?: { parser?: Record<string, unknown>; transform?: Record<string, unknown> } }>(tree, file);
    const parser = json.jsc?.parser ?? { syntax: 'typescript' };
    const transform = json.jsc?.transform ?? {};
    if (parser['decorators'] === true && transform['legacyDecorator'] === true && transform['decoratorMetadata'] === true) continue;
    json.jsc = {
      ...json.jsc,
      parser: { ...parser, decorators: true },
      transform: { ...transform, legacyDecorator: true, decoratorMetadata: true },
    };
    writeJson(tree, file, json);
    changed.push(file);
  }
  return changed;
}
