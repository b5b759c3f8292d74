// duckdb_bulletin.mjs: the bulletin's per-unit figures computed by DuckDB, as
// a peer of hotline in bench_bulletin (see docs/PERFORMANCE.md).
//
// DuckDB reads SQLite files through its sqlite extension, which it downloads
// from its own servers at run time; the benchmark machine cannot reach them.
// So bench_bulletin exports, with the sqlite3 CLI, the rollups table and the
// columns of the events table that the figures need (unit, action, period,
// flags, rating: every event, not only surveys) to CSV, and this script
// computes from them, for one month, each unit's base (surveys concluded),
// surveys succeeded and citizens satisfied, three ways:
//   rollups  - summing the rollup counters (the path hotline's bulletin takes);
//   csv      - aggregating the events CSV directly (DuckDB parses it as it goes);
//   table    - aggregating the events after loading them into a DuckDB table
//              (the load is timed apart).
// Each query is timed inside this process with performance.now(); start-up
// and loading are reported apart. It prints, tab-separated:
//   version <duckdb version>
//   time <what>_ms <milliseconds>
//   row <path> <unit> <base> <succeeded> <satisfied>
// Exit status 3 when DuckDB is not installed (run `npm install` in bench/).
//
// Usage: node duckdb_bulletin.mjs EVENTS_CSV ROLLUPS_CSV MONTH RATINGS
//   MONTH is yyyymm; RATINGS the ratings counted as satisfied, e.g. "1,2"
//   (very satisfied, satisfied), or "1,2,3" when the policy counts 基本满意.
// The action and counter names are the store's (src/store/sqlite/sqlite_support.c,
// src/domain/rollup.c); bench_bulletin checks that the figures agree with
// hotline's, so a renamed counter shows up as a disagreement, not a silent 0.

const started = performance.now();
let DuckDBInstance;
try {
  ({ DuckDBInstance } = await import('@duckdb/node-api'));
} catch (error) {
  console.error(`duckdb_bulletin: @duckdb/node-api is not installed (${error.message}); run npm install in bench/`);
  process.exit(3);
}

const [eventsCsv, rollupsCsv, monthText, ratingsText] = process.argv.slice(2);
if (!eventsCsv || !rollupsCsv || !/^\d{6}$/.test(monthText ?? '') || !/^\d(,\d)*$/.test(ratingsText ?? '')) {
  console.error('usage: node duckdb_bulletin.mjs EVENTS_CSV ROLLUPS_CSV MONTH RATINGS');
  process.exit(2);
}
const month = Number(monthText);
const ratings = ratingsText;
const satisfiedCounters = ratings
  .split(',')
  .map((rating) => ['rated_very_satisfied', 'rated_satisfied', 'rated_basically_satisfied'][Number(rating) - 1])
  .filter(Boolean)
  .map((name) => `'${name}'`)
  .join(', ');

const quote = (text) => `'${text.replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const versionReader = await connection.runAndReadAll('SELECT version()');
console.log(`version\t${versionReader.getRows()[0][0]}`);
console.log(`time\tstartup_ms\t${(performance.now() - started).toFixed(3)}`);

async function timed(label, sql) {
  const before = performance.now();
  const reader = await connection.runAndReadAll(sql);
  const milliseconds = performance.now() - before;
  console.log(`time\t${label}_ms\t${milliseconds.toFixed(3)}`);
  return reader.getRows();
}

function printRows(path, rows) {
  for (const [unit, base, succeeded, satisfied] of rows)
    console.log(`row\t${path}\t${unit}\t${base}\t${succeeded}\t${satisfied}`);
}

// What rollup.c counts for a month, from the log: a concluded survey adds
// to its period, an upheld appeal takes the same back; a survey or appeal of
// an order already excluded counts nowhere.
const fromEvents = (source) => `
  SELECT unit,
         coalesce(sum(sign) FILTER (WHERE (flags & 1) = 1), 0)::BIGINT AS base,
         coalesce(sum(sign) FILTER (WHERE (flags & 3) = 3), 0)::BIGINT AS succeeded,
         coalesce(sum(sign) FILTER (WHERE (flags & 3) = 3 AND rating IN (${ratings})), 0)::BIGINT AS satisfied
  FROM (SELECT unit, flags, rating, CASE action WHEN 'survey' THEN 1 ELSE -1 END AS sign
        FROM ${source}
        WHERE action IN ('survey', 'appeal-uphold') AND period = ${month} AND (flags & 4) = 0)
  WHERE unit <> ''
  GROUP BY unit ORDER BY unit`;

const eventColumns = `{'unit': 'VARCHAR', 'action': 'VARCHAR', 'period': 'INTEGER', 'flags': 'INTEGER', 'rating': 'INTEGER'}`;
const eventsFile = `read_csv(${quote(eventsCsv)}, header = true, columns = ${eventColumns})`;
const rollupColumns = `{'month': 'INTEGER', 'unit': 'VARCHAR', 'counter': 'VARCHAR', 'value': 'BIGINT'}`;

await connection.run(
  `CREATE TABLE rollups AS SELECT * FROM read_csv(${quote(rollupsCsv)}, header = true, columns = ${rollupColumns})`);
printRows('rollups', await timed('rollups_query', `
  SELECT unit,
         coalesce(sum(value) FILTER (WHERE counter = 'surveyed'), 0)::BIGINT,
         coalesce(sum(value) FILTER (WHERE counter = 'survey_succeeded'), 0)::BIGINT,
         coalesce(sum(value) FILTER (WHERE counter IN (${satisfiedCounters})), 0)::BIGINT
  FROM rollups WHERE month = ${month} AND unit <> ''
  GROUP BY unit ORDER BY unit`));

printRows('csv', await timed('csv_query', fromEvents(eventsFile)));

await timed('load', `CREATE TABLE events AS SELECT * FROM ${eventsFile}`);
printRows('table', await timed('table_query', fromEvents('events')));
console.log(`time\tprocess_ms\t${(performance.now() - started).toFixed(3)}`);
