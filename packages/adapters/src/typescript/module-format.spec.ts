import { memoryReader } from './file-system';
import { ModuleFormatReader } from './module-format';

describe('ModuleFormatReader', () => {
  const reader = new ModuleFormatReader(
    memoryReader({
      '/ws/package.json': JSON.stringify({ name: 'ws' }),
      '/ws/libs/esm/package.json': JSON.stringify({ name: '@org/esm', type: 'module' }),
      '/ws/libs/broken/package.json': '{ not json',
    }),
  );

  it('follows the nearest package.json: "type": "module" makes ES modules, anything else CommonJS', () => {
    expect(reader.formatOf('/ws/libs/esm/src/data-source.ts')).toBe('module');
    expect(reader.formatOf('/ws/libs/esm/src/deep/er/user.entity.js')).toBe('module');
    expect(reader.formatOf('/ws/apps/api/src/data-source.ts')).toBe('commonjs');
    expect(reader.formatOf('/ws/libs/broken/src/x.ts')).toBe('commonjs');
    expect(reader.formatOf('/nowhere/x.ts')).toBe('commonjs');
  });

  it('lets .mts/.mjs and .cts/.cjs decide whatever the package says', () => {
    expect(reader.formatOf('/ws/apps/api/src/data-source.mts')).toBe('module');
    expect(reader.formatOf('/ws/apps/api/src/data-source.mjs')).toBe('module');
    expect(reader.formatOf('/ws/libs/esm/src/data-source.cts')).toBe('commonjs');
    expect(reader.formatOf('/ws/libs/esm/src/data-source.cjs')).toBe('commonjs');
  });
});
