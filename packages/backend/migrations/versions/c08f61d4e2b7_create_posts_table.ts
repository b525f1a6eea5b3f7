/**
 * Create posts table
 *
 * Revision ID: c08f61d4e2b7
 * Revises: 5b3e9d2a7c41
 * Create Date: 2026-11-25T09:30:00.000Z
 */
import type { QueryRunner } from 'typeorm';

export const revision = 'c08f61d4e2b7';
export const downRevision: string | readonly string[] | null = '5b3e9d2a7c41';
export const message = 'Create posts table';
export const branchLabels: readonly string[] = [];
export const dependsOn: readonly string[] = [];
export const transactional = true;

export async function up(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`CREATE TABLE "posts" ("id" SERIAL NOT NULL, "title" character varying(200) NOT NULL, "body" text NOT NULL DEFAULT '', "published_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "author_id" integer NOT NULL, CONSTRAINT "PK_2829ac61eff60fcec60d7274b9e" PRIMARY KEY ("id"))`);
  await queryRunner.query(`ALTER TABLE "posts" ADD CONSTRAINT "FK_312c63be865c81b922e39c2475e" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
}

export async function down(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`ALTER TABLE "posts" DROP CONSTRAINT "FK_312c63be865c81b922e39c2475e"`);
  await queryRunner.query(`DROP TABLE "posts"`);
}
