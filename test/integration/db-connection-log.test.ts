import pg from 'pg';
import { openDatabase } from '../../src/store/db.js';
import { createTestDatabaseUrl } from '../support/database.js';

// Only a server can end a session from outside; the embedded database has no second way in.
const onServer = process.env.TEST_DATABASE_URL ? test : test.skip;

onServer('a connection the server ends while idle is logged (message and SQLSTATE, never the URL) and the pool carries on', async () => {
  const target = await createTestDatabaseUrl();
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  const db = await openDatabase({
    url: target.url,
    dataDir: 'memory://',
    log: { warn: ((fields: Record<string, unknown>, msg: string) => void warnings.push({ fields, msg })) as never },
  });
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await db.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // a second line would come now
    expect(warnings).toEqual([{ fields: { err: expect.stringMatching(/terminat/i), code: '57P01' }, msg: 'database connection lost' }]);
    expect(JSON.stringify(warnings)).not.toContain(new URL(target.url!).pathname.slice(1));
    expect((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  } finally {
    await admin.end();
    await db.close();
    await target.drop();
  }
});
