import { joinPathFragments, type ProjectConfiguration, type Tree } from '@nx/devkit';

/** `<projectRoot>/.env.example`: how to point each environment at its database. Kept if it exists. */
export function scaffoldEnvExample(tree: Tree, project: ProjectConfiguration): void {
  const file = joinPathFragments(project.root, '.env.example');
  if (tree.exists(file)) return;
  tree.write(
    file,
    [
      `# Databases of ${project.name}. Copy this file to .env.<environment> (for example .env.staging) and`,
      `# \`nx run ${project.name}:migrate:<environment>\` reads it; .env.local and .env are for your own machine.`,
      '# A DATABASE_URL set in the shell wins over every file. Without any DATABASE_URL, the project uses its',
      '# embedded PostgreSQL (PGlite) in .nx-typeorm-migrations/, which needs nothing installed.',
      '#',
      '# A hosted database, TLS required (Supabase, Neon, RDS...):',
      '# DATABASE_URL=postgres://postgres:YOUR-PASSWORD@db.YOUR-PROJECT.supabase.co:5432/postgres?sslmode=require',
      '#',
      '# A local server:',
      '# DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres',
      '',
    ].join('\n'),
  );
}
