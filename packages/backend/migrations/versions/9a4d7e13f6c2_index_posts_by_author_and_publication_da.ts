/**
 * Index posts by author and publication date
 *
 * Revision ID: 9a4d7e13f6c2
 * Revises: c08f61d4e2b7
 * Create Date: 2026-11-25T10:00:00.000Z
 */
import type { QueryRunner } from 'typeorm';

export const revision = '9a4d7e13f6c2';
export const downRevision: string | readonly string[] | null = 'c08f61d4e2b7';
export const message = 'Index posts by author and publication date';
export const branchLabels: readonly string[] = [];
export const dependsOn: readonly string[] = [];
// CREATE INDEX CONCURRENTLY cannot run inside a transaction block; the index is built without blocking writes.
export const transactional = false;

export async function up(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`CREATE INDEX CONCURRENTLY "IDX_posts_author_published" ON "posts" ("author_id", "published_at")`);
}

export async function down(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`DROP INDEX CONCURRENTLY "public"."IDX_posts_author_published"`);
}
