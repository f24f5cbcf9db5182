// Where the machine's database servers are; override with TEST_* variables elsewhere.
export const POSTGRES_ADMIN_URI =
  process.env.TEST_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN = {
  host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
  user: process.env.TEST_MYSQL_USER ?? 'root',
  password: process.env.TEST_MYSQL_PASSWORD ?? '',
};
export const REDIS_URI = process.env.TEST_REDIS_URI ?? 'redis://127.0.0.1:6379';
