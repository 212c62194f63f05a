#!/usr/bin/env node
/**
 * pitbox-ingest: subscribe to a studio's tables and store every event exactly once.
 *
 *   pitbox-ingest --broker mqtt://broker:1883 --database postgres://... [--instance NAME]
 *                 [--group NAME] [--prefix pitbox/v1] [--trust KID,KID] [--join-mid-stream]
 *   pitbox-ingest migrate --database postgres://...
 *
 * The database URL may come from a file: --database-file PATH (a secret, as systemd's
 * LoadCredential= hands it over).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Ingester } from './ingester.js';
import { EventStore } from './store.js';

const { values: v, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    broker: { type: 'string' },
    database: { type: 'string' },
    'database-file': { type: 'string' },
    instance: { type: 'string' },
    group: { type: 'string' },
    prefix: { type: 'string' },
    trust: { type: 'string' },
    'join-mid-stream': { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
});
const database = v.database ?? (v['database-file'] ? readFileSync(v['database-file'], 'utf8').trim() : undefined);
const say = (line: string) => process.stderr.write(`${line}\n`);

if (!database) {
  say('pitbox-ingest: --database URL (or --database-file PATH) is required');
  process.exit(2);
}
if (positionals[0] === 'migrate') {
  const store = new EventStore(database, 'migrate');
  const applied = await store.migrate();
  say(`pitbox-ingest: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}`);
  await store.end();
} else {
  if (!v.broker) {
    say('pitbox-ingest: --broker URL is required');
    process.exit(2);
  }
  const ingester = new Ingester({
    broker: v.broker,
    database,
    ...(v.instance ? { instance: v.instance } : {}),
    ...(v.group ? { group: v.group } : {}),
    ...(v.prefix ? { prefix: v.prefix } : {}),
    ...(v.trust ? { trusted: v.trust.split(',') } : {}),
    joinMidStream: v['join-mid-stream'] ?? false,
    onNote: (n) => {
      if (n.kind === 'violation') say(`pitbox-ingest: ${n.table} VIOLATION ${n.violation.code}${n.violation.seq === undefined ? '' : ` at #${n.violation.seq}`}: ${n.violation.detail}`);
      else if (n.kind === 'retry') say(`pitbox-ingest: database write failed, retrying (not acknowledged): ${n.error}`);
      else if (!v.quiet) say(`pitbox-ingest: ${n.table} #${n.seq} ${n.kind}`);
    },
  });
  await ingester.start();
  say('pitbox-ingest: running');
  const stop = () => void ingester.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
