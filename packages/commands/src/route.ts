/**
 * The way the user came in: an Nx target or generator, or a verb of the `nx-typeorm-migrations` CLI. Messages
 * name the command the user ran and the commands to run next as the user would type them on that route, so an
 * Nx user reads `nx run backend:db-stamp` (a renamed target) and a CLI user reads `nx-typeorm-migrations stamp`.
 */

/** Every verb a message may point to: the executors' and the generators'. */
export type Verb =
  | 'migrate'
  | 'status'
  | 'history'
  | 'check'
  | 'stamp'
  | 'revision'
  | 'merge'
  | 'rebase'
  | 'import-typeorm'
  | 'setup';

/** The inferred targets' names, by verb, as the plugin's `targetNames` option sets them. */
export type TargetVerb = 'migrate' | 'status' | 'history' | 'check' | 'stamp';

export const DEFAULT_TARGETS: Readonly<Record<TargetVerb, string>> = {
  migrate: 'migrate',
  status: 'migrate-status',
  history: 'migrate-history',
  check: 'migrate-check',
  stamp: 'migrate-stamp',
};

/** The Nx generator of each verb that is a generator. */
const GENERATORS: Readonly<Record<Exclude<Verb, TargetVerb>, string>> = {
  revision: 'migration',
  merge: 'merge',
  rebase: 'rebase',
  'import-typeorm': 'import-typeorm',
  setup: 'setup',
};

export const PLUGIN = 'nx-typeorm-migrations';

export type Route =
  | {
      readonly kind: 'nx';
      readonly project: string;
      /** What the user ran: `nx run backend:migrate`, `nx g nx-typeorm-migrations:merge`. */
      readonly ran: string;
      /** The project's names of the inferred targets. */
      readonly targets: Readonly<Record<TargetVerb, string>>;
    }
  | {
      readonly kind: 'cli';
      readonly verb: string;
      /** The options that located the project as the user typed them (`--project-root=apps/api`), repeated in the commands a message suggests. */
      readonly projectOptions?: string;
    };

/** The route of an Nx target: `target` is the name the user ran (renamed targets included). */
export function nxRoute(project: string, target: string, targets: Partial<Record<TargetVerb, string>> = {}): Route {
  return { kind: 'nx', project, ran: `nx run ${project}:${target}`, targets: { ...DEFAULT_TARGETS, ...targets } };
}

/** The route of an Nx generator (`migration`, `merge`, ...). */
export function nxGeneratorRoute(
  project: string,
  generator: string,
  targets: Partial<Record<TargetVerb, string>> = {},
): Route {
  return { kind: 'nx', project, ran: `nx g ${PLUGIN}:${generator}`, targets: { ...DEFAULT_TARGETS, ...targets } };
}

/** The route of a CLI verb; `projectOptions`: how the user located the project (`--project-root=apps/api`). */
export function cliRoute(verb: string, projectOptions?: string): Route {
  return { kind: 'cli', verb, ...(projectOptions && { projectOptions }) };
}

/** The command the user ran, as typed: `nx run backend:migrate`, `nx-typeorm-migrations migrate`. */
export function ranCommand(route: Route): string {
  return route.kind === 'nx' ? route.ran : `${PLUGIN} ${route.verb}`;
}

/** How the user types `verb` (with `args`, e.g. `--to=head`) on their route. */
export function commandFor(route: Route, verb: Verb, args = ''): string {
  const tail = args ? ` ${args}` : '';
  if (route.kind === 'cli') {
    return `${PLUGIN} ${verb}${route.projectOptions ? ` ${route.projectOptions}` : ''}${tail}`;
  }
  if (verb in GENERATORS) {
    return `nx g ${PLUGIN}:${GENERATORS[verb as keyof typeof GENERATORS]} --project=${route.project}${tail}`;
  }
  return `nx run ${route.project}:${route.targets[verb as TargetVerb]}${tail}`;
}
