/**
 * Create users table
 *
 * Revision ID: 5b3e9d2a7c41
 * Revises: <base>
 * Create Date: 2026-11-25T09:00:00.000Z
 */
import type { QueryRunner } from 'typeorm';

export const revision = '5b3e9d2a7c41';
export const downRevision: string | readonly string[] | null = null;
export const message = 'Create users table';
export const branchLabels: readonly string[] = [];
export const dependsOn: readonly string[] = [];
export const transactional = true;

export async function up(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL NOT NULL, "email" character varying(320) NOT NULL, "display_name" character varying(120) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
}

export async function down(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`DROP TABLE "users"`);
}
