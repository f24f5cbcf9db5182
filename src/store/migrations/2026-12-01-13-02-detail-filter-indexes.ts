// GET /deployments filters by commit (a prefix) and deployer, which live in versions_details (issue 12):
// indexes so that either finds its deployments without reading the table. Frozen: never edit.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('idx_details_commit')
    .on('versions_details')
    .columns(['commit_sha', 'versions_id'])
    .execute();
  await db.schema
    .createIndex('idx_details_deployer')
    .on('versions_details')
    .columns(['deployer', 'versions_id'])
    .execute();
}
