// The SQL each database is sent for the service's main queries, pinned as Kysely's own tests pin theirs:
// each query is compiled with the dialect's adapter and query compiler over a DummyDriver (no connection,
// no service), and its text and parameters compared. A change here is a change of what the databases
// run, to be measured (bench/) and checked with EXPLAIN (test/deployments/deployments-query-plans.test.ts).
import type { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/config.js';
import { mysqlDialect } from '../../src/store/dialects/mysql.js';
import { postgresDialect } from '../../src/store/dialects/postgres.js';
import { sqliteDialect } from '../../src/store/dialects/sqlite.js';
import { compileMainQueries } from './store-sql.cases.js';

type Expected = Record<DialectName, Array<Pick<CompiledQuery, 'sql' | 'parameters'>>>;

const EXPECTED: Record<string, Expected> = {
  'latest lookup': {
    postgres: [
      {
        sql: 'select "version" from versions as "versions" where "workload" = $1 and "platform" = $2 and "environment" = $3 order by "date" desc, "versions_id" desc limit $4',
        parameters: ['api', 'k8s', 'prod', 1],
      },
    ],
    mysql: [
      {
        sql: 'select `version` from versions as versions FORCE INDEX (idx_versions_environment_date) where `workload` = ? and `platform` = ? and `environment` = ? order by `date` desc, `versions_id` desc limit ?',
        parameters: ['api', 'k8s', 'prod', 1],
      },
    ],
    sqlite: [
      {
        sql: 'select "version" from versions as "versions" where "workload" = ? and "platform" = ? and "environment" = ? order by "date" desc, "versions_id" desc limit ?',
        parameters: ['api', 'k8s', 'prod', 1],
      },
    ],
  },
  'latest successful lookup': {
    postgres: [
      {
        sql: 'select "version" from versions as "versions" where "workload" = $1 and "platform" = $2 and "environment" = $3 and "status" in ($4, $5) order by "date" desc, "versions_id" desc limit $6',
        parameters: ['api', 'k8s', 'prod', 'deployed', 'completed', 1],
      },
    ],
    mysql: [
      {
        sql: 'select `version` from versions as versions FORCE INDEX (idx_versions_environment_date) where `workload` = ? and `platform` = ? and `environment` = ? and `status` in (?, ?) order by `date` desc, `versions_id` desc limit ?',
        parameters: ['api', 'k8s', 'prod', 'deployed', 'completed', 1],
      },
    ],
    sqlite: [
      {
        sql: 'select "version" from versions as "versions" where "workload" = ? and "platform" = ? and "environment" = ? and "status" in (?, ?) order by "date" desc, "versions_id" desc limit ?',
        parameters: ['api', 'k8s', 'prod', 'deployed', 'completed', 1],
      },
    ],
  },
  'environment page': {
    postgres: [
      {
        sql: 'select "versions_id", "workload", "platform", "environment", "version", "changelog_url", "status", "date", case when octet_length(raw) <= 4096 then raw end as "raw", octet_length(raw) as "raw_bytes" from versions as "versions" where "workload" = $1 and "platform" = $2 and "environment" = $3 order by "date" desc, "versions_id" desc limit $4 offset $5',
        parameters: ['api', 'k8s', 'prod', 20, 40],
      },
      {
        sql: 'select "deployments" from "versions_environments" where "workload" = $1 and "platform" = $2 and "environment" = $3',
        parameters: ['api', 'k8s', 'prod'],
      },
    ],
    mysql: [
      {
        sql: 'select `versions_id`, `workload`, `platform`, `environment`, `version`, `changelog_url`, `status`, `date`, case when octet_length(raw) <= 4096 then raw end as `raw`, octet_length(raw) as `raw_bytes` from versions as versions FORCE INDEX (idx_versions_environment_date) where `workload` = ? and `platform` = ? and `environment` = ? order by `date` desc, `versions_id` desc limit ? offset ?',
        parameters: ['api', 'k8s', 'prod', 20, 40],
      },
      {
        sql: 'select `deployments` from `versions_environments` where `workload` = ? and `platform` = ? and `environment` = ?',
        parameters: ['api', 'k8s', 'prod'],
      },
    ],
    sqlite: [
      {
        sql: 'select "versions_id", "workload", "platform", "environment", "version", "changelog_url", "status", "date", case when octet_length(raw) <= 4096 then raw end as "raw", octet_length(raw) as "raw_bytes" from versions as "versions" where "workload" = ? and "platform" = ? and "environment" = ? order by "date" desc, "versions_id" desc limit ? offset ?',
        parameters: ['api', 'k8s', 'prod', 20, 40],
      },
      {
        sql: 'select "deployments" from "versions_environments" where "workload" = ? and "platform" = ? and "environment" = ?',
        parameters: ['api', 'k8s', 'prod'],
      },
    ],
  },
  'platform page': {
    postgres: [
      {
        sql: 'select "versions_id", "workload", "platform", "environment", "version", "changelog_url", "status", "date", case when octet_length(raw) <= 4096 then raw end as "raw", octet_length(raw) as "raw_bytes" from versions as "versions" where "workload" = $1 and "platform" = $2 order by "date" desc, "versions_id" desc limit $3 offset $4',
        parameters: ['api', 'k8s', 20, 0],
      },
      {
        sql: 'select sum("deployments") as "deployments" from "versions_environments" where "workload" = $1 and "platform" = $2',
        parameters: ['api', 'k8s'],
      },
    ],
    mysql: [
      {
        sql: 'select `versions_id`, `workload`, `platform`, `environment`, `version`, `changelog_url`, `status`, `date`, case when octet_length(raw) <= 4096 then raw end as `raw`, octet_length(raw) as `raw_bytes` from versions as versions FORCE INDEX (idx_versions_platform_date) where `workload` = ? and `platform` = ? order by `date` desc, `versions_id` desc limit ? offset ?',
        parameters: ['api', 'k8s', 20, 0],
      },
      {
        sql: 'select sum(`deployments`) as `deployments` from `versions_environments` where `workload` = ? and `platform` = ?',
        parameters: ['api', 'k8s'],
      },
    ],
    sqlite: [
      {
        sql: 'select "versions_id", "workload", "platform", "environment", "version", "changelog_url", "status", "date", case when octet_length(raw) <= 4096 then raw end as "raw", octet_length(raw) as "raw_bytes" from versions as "versions" where "workload" = ? and "platform" = ? order by "date" desc, "versions_id" desc limit ? offset ?',
        parameters: ['api', 'k8s', 20, 0],
      },
      {
        sql: 'select sum("deployments") as "deployments" from "versions_environments" where "workload" = ? and "platform" = ?',
        parameters: ['api', 'k8s'],
      },
    ],
  },
  home: {
    postgres: [
      {
        sql: 'select "versions_id", "workload", "platform", "environment", "version", "changelog_url", "status", "date", case when octet_length(raw) <= 4096 then raw end as "raw", octet_length(raw) as "raw_bytes" from "versions" order by "date" desc, "versions_id" desc limit $1',
        parameters: [25],
      },
    ],
    mysql: [
      {
        sql: 'select `versions_id`, `workload`, `platform`, `environment`, `version`, `changelog_url`, `status`, `date`, case when octet_length(raw) <= 4096 then raw end as `raw`, octet_length(raw) as `raw_bytes` from `versions` order by `date` desc, `versions_id` desc limit ?',
        parameters: [25],
      },
    ],
    sqlite: [
      {
        sql: 'select "versions_id", "workload", "platform", "environment", "version", "changelog_url", "status", "date", case when octet_length(raw) <= 4096 then raw end as "raw", octet_length(raw) as "raw_bytes" from "versions" order by "date" desc, "versions_id" desc limit ?',
        parameters: [25],
      },
    ],
  },
  create: {
    postgres: [
      {
        sql: 'with "created" as (insert into "versions" ("workload", "platform", "environment", "version", "changelog_url", "raw", "status", "date") values ($1, $2, $3, $4, $5, $6, $7, $8) returning "versions_id", "status", "date"), "history" as (insert into "versions_status_history" ("versions_id", "status", "date") select "versions_id", "status", "date" from "created" returning "id"), "counted" as (insert into "versions_environments" ("workload", "platform", "environment", "deployments") values ($9, $10, $11, $12) on conflict ("workload", "platform", "environment") do update set "deployments" = versions_environments.deployments + 1 returning "deployments"), "counted_day" as (insert into "versions_daily_counts" ("day", "workload", "platform", "environment", "status", "deployments") select $13 as "day", $14 as "workload", $15 as "platform", $16 as "environment", $17 as "status", 1 as "deployments" from "counted" on conflict ("day", "workload", "platform", "environment", "status") do update set "deployments" = versions_daily_counts.deployments + 1 returning "deployments") select "versions_id" from "created"',
        parameters: [
          'api',
          'k8s',
          'prod',
          '1.2.3',
          'https://example.com/changes',
          '{}',
          'deployed',
          '2026-12-01T10:00:00.000Z',
          'api',
          'k8s',
          'prod',
          1,
          '2026-12-01',
          'api',
          'k8s',
          'prod',
          'deployed',
        ],
      },
    ],
    mysql: [
      {
        sql: 'insert into `versions` (`workload`, `platform`, `environment`, `version`, `changelog_url`, `raw`, `status`, `date`) values (?, ?, ?, ?, ?, ?, ?, ?)',
        parameters: [
          'api',
          'k8s',
          'prod',
          '1.2.3',
          'https://example.com/changes',
          '{}',
          'deployed',
          new Date('2026-12-01T10:00:00.000Z'),
        ],
      },
      {
        sql: 'insert into `versions_status_history` (`versions_id`, `status`, `date`) values (LAST_INSERT_ID(), ?, ?)',
        parameters: ['deployed', new Date('2026-12-01T10:00:00.000Z')],
      },
      {
        sql: 'insert into `versions_environments` (`workload`, `platform`, `environment`, `deployments`) values (?, ?, ?, ?) on duplicate key update `deployments` = deployments + 1',
        parameters: ['api', 'k8s', 'prod', 1],
      },
      {
        sql: 'insert into `versions_daily_counts` (`day`, `workload`, `platform`, `environment`, `status`, `deployments`) values (?, ?, ?, ?, ?, ?) on duplicate key update `deployments` = deployments + 1',
        parameters: ['2026-12-01', 'api', 'k8s', 'prod', 'deployed', 1],
      },
    ],
    sqlite: [
      {
        sql: 'insert into "versions" ("workload", "platform", "environment", "version", "changelog_url", "raw", "status", "date") values (?, ?, ?, ?, ?, ?, ?, ?) returning "versions_id"',
        parameters: [
          'api',
          'k8s',
          'prod',
          '1.2.3',
          'https://example.com/changes',
          '{}',
          'deployed',
          '2026-12-01T10:00:00.000Z',
        ],
      },
      {
        sql: 'insert into "versions_status_history" ("versions_id", "status", "date") values (last_insert_rowid(), ?, ?)',
        parameters: ['deployed', '2026-12-01T10:00:00.000Z'],
      },
      {
        sql: 'insert into "versions_environments" ("workload", "platform", "environment", "deployments") values (?, ?, ?, ?) on conflict ("workload", "platform", "environment") do update set "deployments" = versions_environments.deployments + 1',
        parameters: ['api', 'k8s', 'prod', 1],
      },
      {
        sql: 'insert into "versions_daily_counts" ("day", "workload", "platform", "environment", "status", "deployments") values (?, ?, ?, ?, ?, ?) on conflict ("day", "workload", "platform", "environment", "status") do update set "deployments" = versions_daily_counts.deployments + 1',
        parameters: ['2026-12-01', 'api', 'k8s', 'prod', 'deployed', 1],
      },
    ],
  },
  'create, audited': {
    postgres: [
      {
        sql: 'with "created" as (insert into "versions" ("workload", "platform", "environment", "version", "changelog_url", "raw", "status", "date") values ($1, $2, $3, $4, $5, $6, $7, $8) returning "versions_id", "status", "date"), "history" as (insert into "versions_status_history" ("versions_id", "status", "date") select "versions_id", "status", "date" from "created" returning "id"), "counted" as (insert into "versions_environments" ("workload", "platform", "environment", "deployments") values ($9, $10, $11, $12) on conflict ("workload", "platform", "environment") do update set "deployments" = versions_environments.deployments + 1 returning "deployments"), "counted_day" as (insert into "versions_daily_counts" ("day", "workload", "platform", "environment", "status", "deployments") select $13 as "day", $14 as "workload", $15 as "platform", $16 as "environment", $17 as "status", 1 as "deployments" from "counted" on conflict ("day", "workload", "platform", "environment", "status") do update set "deployments" = versions_daily_counts.deployments + 1 returning "deployments"), "audited" as (insert into "versions_audit" ("date", "action", "versions_id", "token_name", "address", "deployment") values ($18, $19, (SELECT versions_id FROM created), $20, $21, $22) returning "id") select "versions_id" from "created"',
        parameters: [
          'api',
          'k8s',
          'prod',
          '1.2.3',
          'https://example.com/changes',
          '{}',
          'deployed',
          '2026-12-01T10:00:00.000Z',
          'api',
          'k8s',
          'prod',
          1,
          '2026-12-01',
          'api',
          'k8s',
          'prod',
          'deployed',
          '2026-12-01T10:00:00.000Z',
          'created',
          'ci',
          '10.0.0.1',
          '{"workload":"api","platform":"k8s","environment":"prod","version":"1.2.3","changelog_url":"","raw":"{}","status":"deployed","date":"2026-12-01T10:00:00.000Z"}',
        ],
      },
    ],
    mysql: [
      {
        sql: 'insert into `versions` (`workload`, `platform`, `environment`, `version`, `changelog_url`, `raw`, `status`, `date`) values (?, ?, ?, ?, ?, ?, ?, ?)',
        parameters: [
          'api',
          'k8s',
          'prod',
          '1.2.3',
          'https://example.com/changes',
          '{}',
          'deployed',
          new Date('2026-12-01T10:00:00.000Z'),
        ],
      },
      {
        sql: 'insert into `versions_status_history` (`versions_id`, `status`, `date`) values (LAST_INSERT_ID(), ?, ?)',
        parameters: ['deployed', new Date('2026-12-01T10:00:00.000Z')],
      },
      {
        sql: 'insert into `versions_audit` (`date`, `action`, `versions_id`, `token_name`, `address`, `deployment`) values (?, ?, (select `versions_id` from `versions_status_history` where `id` = LAST_INSERT_ID()), ?, ?, ?)',
        parameters: [
          new Date('2026-12-01T10:00:00.000Z'),
          'created',
          'ci',
          '10.0.0.1',
          '{"workload":"api","platform":"k8s","environment":"prod","version":"1.2.3","changelog_url":"","raw":"{}","status":"deployed","date":"2026-12-01T10:00:00.000Z"}',
        ],
      },
      {
        sql: 'insert into `versions_environments` (`workload`, `platform`, `environment`, `deployments`) values (?, ?, ?, ?) on duplicate key update `deployments` = deployments + 1',
        parameters: ['api', 'k8s', 'prod', 1],
      },
      {
        sql: 'insert into `versions_daily_counts` (`day`, `workload`, `platform`, `environment`, `status`, `deployments`) values (?, ?, ?, ?, ?, ?) on duplicate key update `deployments` = deployments + 1',
        parameters: ['2026-12-01', 'api', 'k8s', 'prod', 'deployed', 1],
      },
    ],
    sqlite: [
      {
        sql: 'insert into "versions" ("workload", "platform", "environment", "version", "changelog_url", "raw", "status", "date") values (?, ?, ?, ?, ?, ?, ?, ?) returning "versions_id"',
        parameters: [
          'api',
          'k8s',
          'prod',
          '1.2.3',
          'https://example.com/changes',
          '{}',
          'deployed',
          '2026-12-01T10:00:00.000Z',
        ],
      },
      {
        sql: 'insert into "versions_status_history" ("versions_id", "status", "date") values (last_insert_rowid(), ?, ?)',
        parameters: ['deployed', '2026-12-01T10:00:00.000Z'],
      },
      {
        sql: 'insert into "versions_audit" ("date", "action", "versions_id", "token_name", "address", "deployment") values (?, ?, (select "versions_id" from "versions_status_history" where "id" = last_insert_rowid()), ?, ?, ?)',
        parameters: [
          '2026-12-01T10:00:00.000Z',
          'created',
          'ci',
          '10.0.0.1',
          '{"workload":"api","platform":"k8s","environment":"prod","version":"1.2.3","changelog_url":"","raw":"{}","status":"deployed","date":"2026-12-01T10:00:00.000Z"}',
        ],
      },
      {
        sql: 'insert into "versions_environments" ("workload", "platform", "environment", "deployments") values (?, ?, ?, ?) on conflict ("workload", "platform", "environment") do update set "deployments" = versions_environments.deployments + 1',
        parameters: ['api', 'k8s', 'prod', 1],
      },
      {
        sql: 'insert into "versions_daily_counts" ("day", "workload", "platform", "environment", "status", "deployments") values (?, ?, ?, ?, ?, ?) on conflict ("day", "workload", "platform", "environment", "status") do update set "deployments" = versions_daily_counts.deployments + 1',
        parameters: ['2026-12-01', 'api', 'k8s', 'prod', 'deployed', 1],
      },
    ],
  },
  'query API, one environment, after a cursor': {
    postgres: [
      {
        sql: 'select "versions"."versions_id" from versions as "versions" where ("versions"."workload" = $1 and "versions"."platform" = $2 and "versions"."environment" = $3 and "versions"."date" <= $4 and ("versions"."date" < $5 or ("versions"."date" = $6 and "versions"."versions_id" < $7))) order by "versions"."date" desc, "versions"."versions_id" desc limit $8',
        parameters: [
          'api',
          'k8s',
          'prod',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          42,
          50,
        ],
      },
    ],
    mysql: [
      {
        sql: 'select `versions`.`versions_id` from versions as versions FORCE INDEX (idx_versions_environment_date) where (`versions`.`workload` = ? and `versions`.`platform` = ? and `versions`.`environment` = ? and `versions`.`date` <= ? and (`versions`.`date` < ? or (`versions`.`date` = ? and `versions`.`versions_id` < ?))) order by `versions`.`date` desc, `versions`.`versions_id` desc limit ?',
        parameters: [
          'api',
          'k8s',
          'prod',
          new Date('2026-12-01T10:00:00.000Z'),
          new Date('2026-12-01T10:00:00.000Z'),
          new Date('2026-12-01T10:00:00.000Z'),
          42,
          50,
        ],
      },
    ],
    sqlite: [
      {
        sql: 'select "versions"."versions_id" from versions as "versions" where ("versions"."workload" = ? and "versions"."platform" = ? and "versions"."environment" = ? and "versions"."date" <= ? and ("versions"."date" < ? or ("versions"."date" = ? and "versions"."versions_id" < ?))) order by "versions"."date" desc, "versions"."versions_id" desc limit ?',
        parameters: [
          'api',
          'k8s',
          'prod',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          42,
          50,
        ],
      },
    ],
  },
  'query API, a search': {
    postgres: [
      {
        sql: 'select "versions"."versions_id" from versions as "versions" where ("versions"."status" in ($1, $2) and (lower("versions"."version") LIKE $3 ESCAPE \'!\' or "versions"."versions_id" in (select "versions_details"."versions_id" from "versions_details" where (lower("description") LIKE $4 ESCAPE \'!\' or lower("commit_sha") LIKE $5 ESCAPE \'!\'))) and "versions"."date" >= $6) order by "versions"."date" desc, "versions"."versions_id" desc limit $7',
        parameters: [
          'failed',
          'deployed',
          '%fix!_1%',
          '%fix!_1%',
          '%fix!_1%',
          '2026-11-01T00:00:00.000Z',
          50,
        ],
      },
    ],
    mysql: [
      {
        sql: "select `versions`.`versions_id` from versions as `versions` where (`versions`.`status` in (?, ?) and (lower(`versions`.`version`) LIKE ? ESCAPE '!' or `versions`.`versions_id` in (select `versions_details`.`versions_id` from `versions_details` where (lower(`description`) LIKE ? ESCAPE '!' or lower(`commit_sha`) LIKE ? ESCAPE '!'))) and `versions`.`date` >= ?) order by `versions`.`date` desc, `versions`.`versions_id` desc limit ?",
        parameters: [
          'failed',
          'deployed',
          '%fix!_1%',
          '%fix!_1%',
          '%fix!_1%',
          new Date('2026-11-01T00:00:00.000Z'),
          50,
        ],
      },
    ],
    sqlite: [
      {
        sql: 'select "versions"."versions_id" from versions as "versions" where ("versions"."status" in (?, ?) and (lower("versions"."version") LIKE ? ESCAPE \'!\' or "versions"."versions_id" in (select "versions_details"."versions_id" from "versions_details" where (lower("description") LIKE ? ESCAPE \'!\' or lower("commit_sha") LIKE ? ESCAPE \'!\'))) and "versions"."date" >= ?) order by "versions"."date" desc, "versions"."versions_id" desc limit ?',
        parameters: [
          'failed',
          'deployed',
          '%fix!_1%',
          '%fix!_1%',
          '%fix!_1%',
          '2026-11-01T00:00:00.000Z',
          50,
        ],
      },
    ],
  },
  'query API, one environment, two statuses': {
    postgres: [
      {
        sql: 'select "k"."versions_id", "k"."date" from (select * from (select "versions"."versions_id", "versions"."date" from versions as "versions" where ("versions"."workload" = $1 and "versions"."platform" = $2 and "versions"."environment" = $3 and "versions"."status" = $4 and "versions"."date" <= $5 and ("versions"."date" < $6 or ("versions"."date" = $7 and "versions"."versions_id" < $8))) order by "versions"."date" desc, "versions"."versions_id" desc limit $9) as "s0" union all select * from (select "versions"."versions_id", "versions"."date" from versions as "versions" where ("versions"."workload" = $10 and "versions"."platform" = $11 and "versions"."environment" = $12 and "versions"."status" = $13 and "versions"."date" <= $14 and ("versions"."date" < $15 or ("versions"."date" = $16 and "versions"."versions_id" < $17))) order by "versions"."date" desc, "versions"."versions_id" desc limit $18) as "s1") as "k" order by "k"."date" desc, "k"."versions_id" desc limit $19',
        parameters: [
          'api',
          'k8s',
          'prod',
          'completed',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          42,
          50,
          'api',
          'k8s',
          'prod',
          'deployed',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          42,
          50,
          50,
        ],
      },
    ],
    mysql: [
      {
        sql: 'select `k`.`versions_id`, `k`.`date` from (select * from (select `versions`.`versions_id`, `versions`.`date` from versions as versions FORCE INDEX (idx_versions_environment_status_date) where (`versions`.`workload` = ? and `versions`.`platform` = ? and `versions`.`environment` = ? and `versions`.`status` = ? and `versions`.`date` <= ? and (`versions`.`date` < ? or (`versions`.`date` = ? and `versions`.`versions_id` < ?))) order by `versions`.`date` desc, `versions`.`versions_id` desc limit ?) as `s0` union all select * from (select `versions`.`versions_id`, `versions`.`date` from versions as versions FORCE INDEX (idx_versions_environment_status_date) where (`versions`.`workload` = ? and `versions`.`platform` = ? and `versions`.`environment` = ? and `versions`.`status` = ? and `versions`.`date` <= ? and (`versions`.`date` < ? or (`versions`.`date` = ? and `versions`.`versions_id` < ?))) order by `versions`.`date` desc, `versions`.`versions_id` desc limit ?) as `s1`) as `k` order by `k`.`date` desc, `k`.`versions_id` desc limit ?',
        parameters: [
          'api',
          'k8s',
          'prod',
          'completed',
          new Date('2026-12-01T10:00:00.000Z'),
          new Date('2026-12-01T10:00:00.000Z'),
          new Date('2026-12-01T10:00:00.000Z'),
          42,
          50,
          'api',
          'k8s',
          'prod',
          'deployed',
          new Date('2026-12-01T10:00:00.000Z'),
          new Date('2026-12-01T10:00:00.000Z'),
          new Date('2026-12-01T10:00:00.000Z'),
          42,
          50,
          50,
        ],
      },
    ],
    sqlite: [
      {
        sql: 'select "k"."versions_id", "k"."date" from (select * from (select "versions"."versions_id", "versions"."date" from versions as "versions" where ("versions"."workload" = ? and "versions"."platform" = ? and "versions"."environment" = ? and "versions"."status" = ? and "versions"."date" <= ? and ("versions"."date" < ? or ("versions"."date" = ? and "versions"."versions_id" < ?))) order by "versions"."date" desc, "versions"."versions_id" desc limit ?) as "s0" union all select * from (select "versions"."versions_id", "versions"."date" from versions as "versions" where ("versions"."workload" = ? and "versions"."platform" = ? and "versions"."environment" = ? and "versions"."status" = ? and "versions"."date" <= ? and ("versions"."date" < ? or ("versions"."date" = ? and "versions"."versions_id" < ?))) order by "versions"."date" desc, "versions"."versions_id" desc limit ?) as "s1") as "k" order by "k"."date" desc, "k"."versions_id" desc limit ?',
        parameters: [
          'api',
          'k8s',
          'prod',
          'completed',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          42,
          50,
          'api',
          'k8s',
          'prod',
          'deployed',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          42,
          50,
          50,
        ],
      },
    ],
  },
  'query API, one environment, a version prefix': {
    postgres: [
      {
        sql: 'select "versions"."date" from versions as "versions" where ("versions"."workload" = $1 and "versions"."platform" = $2 and "versions"."environment" = $3) order by "versions"."date" desc, "versions"."versions_id" desc limit $4 offset $5',
        parameters: ['api', 'k8s', 'prod', 1, 999],
      },
      {
        sql: 'select "versions"."versions_id" from versions as "versions" where ("versions"."workload" = $1 and "versions"."platform" = $2 and "versions"."environment" = $3 and "versions"."version" LIKE $4 ESCAPE \'!\' and "versions"."date" >= $5) order by "versions"."date" desc, "versions"."versions_id" desc limit $6',
        parameters: ['api', 'k8s', 'prod', '1.4%', '2026-11-01T00:00:00.000Z', 50],
      },
      {
        sql: 'select "k"."versions_id", "k"."date" from (select "versions"."versions_id", "versions"."date" from versions as "versions" where ("versions"."workload" = $1 and "versions"."platform" = $2 and "versions"."environment" = $3 and "versions"."version" LIKE $4 ESCAPE \'!\' and "versions"."version" ~>=~ $5 and "versions"."version" ~<~ $6) limit $7) as "k" order by "k"."date" desc, "k"."versions_id" desc limit $8',
        parameters: ['api', 'k8s', 'prod', '1.4%', '1.4', '1.5', 2147483647, 50],
      },
    ],
    mysql: [
      {
        sql: 'select `versions`.`date` from versions as versions FORCE INDEX (idx_versions_environment_date) where (`versions`.`workload` = ? and `versions`.`platform` = ? and `versions`.`environment` = ?) order by `versions`.`date` desc, `versions`.`versions_id` desc limit ? offset ?',
        parameters: ['api', 'k8s', 'prod', 1, 999],
      },
      {
        sql: "select `versions`.`versions_id` from versions as versions FORCE INDEX (idx_versions_environment_date) where (`versions`.`workload` = ? and `versions`.`platform` = ? and `versions`.`environment` = ? and `versions`.`version` LIKE ? ESCAPE '!' and `versions`.`date` >= ?) order by `versions`.`date` desc, `versions`.`versions_id` desc limit ?",
        parameters: ['api', 'k8s', 'prod', '1.4%', new Date('2026-11-01T00:00:00.000Z'), 50],
      },
      {
        sql: "select `k`.`versions_id`, `k`.`date` from (select `versions`.`versions_id`, `versions`.`date` from versions as versions FORCE INDEX (idx_versions_environment_version) where (`versions`.`workload` = ? and `versions`.`platform` = ? and `versions`.`environment` = ? and `versions`.`version` LIKE ? ESCAPE '!') limit ?) as `k` order by `k`.`date` desc, `k`.`versions_id` desc limit ?",
        parameters: ['api', 'k8s', 'prod', '1.4%', 2147483647, 50],
      },
    ],
    sqlite: [
      {
        sql: 'select "versions"."date" from versions as "versions" where ("versions"."workload" = ? and "versions"."platform" = ? and "versions"."environment" = ?) order by "versions"."date" desc, "versions"."versions_id" desc limit ? offset ?',
        parameters: ['api', 'k8s', 'prod', 1, 999],
      },
      {
        sql: 'select "versions"."versions_id" from versions as "versions" where ("versions"."workload" = ? and "versions"."platform" = ? and "versions"."environment" = ? and +"versions"."version" LIKE ? ESCAPE \'!\' and +"versions"."version" >= ? and +"versions"."version" < ? and "versions"."date" >= ?) order by "versions"."date" desc, "versions"."versions_id" desc limit ?',
        parameters: ['api', 'k8s', 'prod', '1.4%', '1.4', '1.5', '2026-11-01T00:00:00.000Z', 50],
      },
      {
        sql: 'select "k"."versions_id", "k"."date" from (select "versions"."versions_id", "versions"."date" from versions as "versions" where ("versions"."workload" = ? and "versions"."platform" = ? and "versions"."environment" = ? and "versions"."version" LIKE ? ESCAPE \'!\' and "versions"."version" >= ? and "versions"."version" < ?) limit ?) as "k" order by "k"."date" desc, "k"."versions_id" desc limit ?',
        parameters: ['api', 'k8s', 'prod', '1.4%', '1.4', '1.5', 2147483647, 50],
      },
    ],
  },
  matrix: {
    postgres: [
      {
        sql: 'select "m"."workload", "m"."platform", "m"."environment", "l"."versions_id" as "latest_id", "l"."version" as "latest_version", "l"."status" as "latest_status", "l"."date" as "latest_date", "c"."versions_id" as "current_id", "c"."version" as "current_version", "c"."date" as "current_date", "cd"."commit_sha" as "current_commit", "cd"."environment_url" as "current_environment_url" from (select "e"."workload", "e"."platform", "e"."environment", (select "n"."versions_id" from versions as "n" where "n"."workload" = "e"."workload" and "n"."platform" = "e"."platform" and "n"."environment" = "e"."environment" order by "n"."date" desc, "n"."versions_id" desc limit $1) as "latest_id", (select "n"."versions_id" from versions as "n" where "n"."workload" = "e"."workload" and "n"."platform" = "e"."platform" and "n"."environment" = "e"."environment" and "n"."status" in ($2, $3) order by "n"."date" desc, "n"."versions_id" desc limit $4) as "current_id" from "versions_environments" as "e" where "e"."workload" = $5) as "m" inner join "versions" as "l" on "l"."versions_id" = "m"."latest_id" left join "versions" as "c" on "c"."versions_id" = "m"."current_id" left join "versions_details" as "cd" on "cd"."versions_id" = "m"."current_id" order by "m"."workload", "m"."platform", "m"."environment"',
        parameters: [1, 'deployed', 'completed', 1, 'api'],
      },
    ],
    mysql: [
      {
        sql: 'select `m`.`workload`, `m`.`platform`, `m`.`environment`, `l`.`versions_id` as `latest_id`, `l`.`version` as `latest_version`, `l`.`status` as `latest_status`, `l`.`date` as `latest_date`, `c`.`versions_id` as `current_id`, `c`.`version` as `current_version`, `c`.`date` as `current_date`, `cd`.`commit_sha` as `current_commit`, `cd`.`environment_url` as `current_environment_url` from (select `e`.`workload`, `e`.`platform`, `e`.`environment`, (select `n`.`versions_id` from versions as n FORCE INDEX (idx_versions_environment_date) where `n`.`workload` = `e`.`workload` and `n`.`platform` = `e`.`platform` and `n`.`environment` = `e`.`environment` order by `n`.`date` desc, `n`.`versions_id` desc limit ?) as `latest_id`, (select `n`.`versions_id` from versions as n FORCE INDEX (idx_versions_environment_date) where `n`.`workload` = `e`.`workload` and `n`.`platform` = `e`.`platform` and `n`.`environment` = `e`.`environment` and `n`.`status` in (?, ?) order by `n`.`date` desc, `n`.`versions_id` desc limit ?) as `current_id` from `versions_environments` as `e` where `e`.`workload` = ?) as `m` inner join `versions` as `l` on `l`.`versions_id` = `m`.`latest_id` left join `versions` as `c` on `c`.`versions_id` = `m`.`current_id` left join `versions_details` as `cd` on `cd`.`versions_id` = `m`.`current_id` order by `m`.`workload`, `m`.`platform`, `m`.`environment`',
        parameters: [1, 'deployed', 'completed', 1, 'api'],
      },
    ],
    sqlite: [
      {
        sql: 'select "m"."workload", "m"."platform", "m"."environment", "l"."versions_id" as "latest_id", "l"."version" as "latest_version", "l"."status" as "latest_status", "l"."date" as "latest_date", "c"."versions_id" as "current_id", "c"."version" as "current_version", "c"."date" as "current_date", "cd"."commit_sha" as "current_commit", "cd"."environment_url" as "current_environment_url" from (select "e"."workload", "e"."platform", "e"."environment", (select "n"."versions_id" from versions as "n" where "n"."workload" = "e"."workload" and "n"."platform" = "e"."platform" and "n"."environment" = "e"."environment" order by "n"."date" desc, "n"."versions_id" desc limit ?) as "latest_id", (select "n"."versions_id" from versions as "n" where "n"."workload" = "e"."workload" and "n"."platform" = "e"."platform" and "n"."environment" = "e"."environment" and "n"."status" in (?, ?) order by "n"."date" desc, "n"."versions_id" desc limit ?) as "current_id" from "versions_environments" as "e" where "e"."workload" = ?) as "m" inner join "versions" as "l" on "l"."versions_id" = "m"."latest_id" left join "versions" as "c" on "c"."versions_id" = "m"."current_id" left join "versions_details" as "cd" on "cd"."versions_id" = "m"."current_id" order by "m"."workload", "m"."platform", "m"."environment"',
        parameters: [1, 'deployed', 'completed', 1, 'api'],
      },
    ],
  },
  'DORA counts': {
    postgres: [
      {
        sql: 'select count(*) as "deployments", sum(case when "v"."status" in ($1, $2) then 1 else 0 end) as "successful", sum(case when "v"."status" = $3 then 1 else 0 end) as "failed", min("v"."versions_id") as "first", max("v"."versions_id") as "last" from "versions" as "v" where ("v"."date" >= $4 and "v"."date" <= $5 and "v"."workload" = $6)',
        parameters: [
          'deployed',
          'completed',
          'failed',
          '2026-11-01T00:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          'api',
        ],
      },
    ],
    mysql: [
      {
        sql: 'select count(*) as `deployments`, sum(case when `v`.`status` in (?, ?) then 1 else 0 end) as `successful`, sum(case when `v`.`status` = ? then 1 else 0 end) as `failed`, min(`v`.`versions_id`) as `first`, max(`v`.`versions_id`) as `last` from `versions` as `v` where (`v`.`date` >= ? and `v`.`date` <= ? and `v`.`workload` = ?)',
        parameters: [
          'deployed',
          'completed',
          'failed',
          new Date('2026-11-01T00:00:00.000Z'),
          new Date('2026-12-01T10:00:00.000Z'),
          'api',
        ],
      },
    ],
    sqlite: [
      {
        sql: 'select count(*) as "deployments", sum(case when "v"."status" in (?, ?) then 1 else 0 end) as "successful", sum(case when "v"."status" = ? then 1 else 0 end) as "failed", min("v"."versions_id") as "first", max("v"."versions_id") as "last" from "versions" as "v" where ("v"."date" >= ? and "v"."date" <= ? and "v"."workload" = ?)',
        parameters: [
          'deployed',
          'completed',
          'failed',
          '2026-11-01T00:00:00.000Z',
          '2026-12-01T10:00:00.000Z',
          'api',
        ],
      },
    ],
  },
};

for (const dialect of [postgresDialect, mysqlDialect, sqliteDialect]) {
  describe(`the SQL sent to ${dialect.name}`, () => {
    const compiled = compileMainQueries(dialect);

    it('covers every pinned query and no other', () => {
      expect(Object.keys(compiled).sort()).toEqual(Object.keys(EXPECTED).sort());
    });

    for (const [name, expected] of Object.entries(EXPECTED)) {
      it(name, () => {
        const queries = (compiled[name] ?? []).map(({ sql, parameters }) => ({ sql, parameters }));
        expect(queries).toEqual(expected[dialect.name]);
      });
    }
  });
}
