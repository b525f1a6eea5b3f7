/** `--name=value` / `--name value` flags of a benchmark, with numeric defaults. */
export function readFlags(argv, defaults) {
  const flags = { ...defaults };
  for (let k = 0; k < argv.length; k += 1) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[k]);
    if (!match)
      throw new Error(
        `Unexpected argument ${argv[k]}; flags are ${Object.keys(defaults)
          .map((f) => `--${f}`)
          .join(', ')}.`,
      );
    const [, name, inline] = match;
    if (!(name in defaults))
      throw new Error(
        `Unknown flag --${name}; flags are ${Object.keys(defaults)
          .map((f) => `--${f}`)
          .join(', ')}.`,
      );
    if (typeof defaults[name] === 'boolean') {
      flags[name] = inline === undefined || inline === 'true';
      continue;
    }
    const value = inline ?? argv[(k += 1)];
    if (typeof defaults[name] === 'number') {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1)
        throw new Error(`--${name} must be a positive integer, got ${value}.`);
      flags[name] = number;
    } else {
      flags[name] = value;
    }
  }
  return flags;
}
