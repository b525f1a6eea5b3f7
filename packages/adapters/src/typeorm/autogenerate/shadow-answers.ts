import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type * as pg from 'pg';
import { packageCacheFile, writeCacheFile } from '../../fs/tool-cache';
import { keepNewest } from './saved-replay';

/**
 * Recorded answers of an in-memory shadow database. Comparing entities with a saved shadow (no migration added since
 * it was saved) asks it the same catalog questions every time: TypeORM's introspection, the version, the current
 * schema. Their answers depend only on what the shadow holds, which the saved shadow's key fixes (the migrations,
 * revision and checksum, in order; this tool's and PGlite's versions; the extensions it can create). So the answers
 * to read-only queries asked of a shadow in exactly its saved state are kept, under that key, and a later generate on
 * the same key is answered from them without starting PGlite at all (about 1.5 s of WebAssembly at 300 tables).
 *
 * Anything they cannot answer (a query not asked before: a new enum type looked up, a table list that changed; any
 * statement that writes) starts the real shadow then and goes on there: the answers given so far came from the
 * state it starts in, so the session continues exactly as if it had been real from the start. Answers are recorded
 * only while the real shadow is still in its saved state (before any statement that changes it).
 */

/** What a query returned, as `pg` gives it: the fields TypeORM reads. */
export interface Answer {
  readonly command: string;
  readonly rowCount: number | null;
  readonly rows: unknown[];
}

/** Answers by `questionKey`, each kept serialized (`v8`): read back whole, as new objects, each time it is given. */
export type Answers = Map<string, Buffer>;

/** The key of one question: its text and bind parameters. */
export function questionKey(text: string, parameters?: readonly unknown[]): string {
  return createHash('sha256')
    .update(text)
    .update('\0')
    .update(JSON.stringify(parameters ?? []))
    .digest('base64');
}

/** The answers recorded for the shadow state `key` of `folder`'s migrations; empty when there are none for it. */
export function readShadowAnswers(folder: string, key: string): Answers {
  const file = answersFile(folder);
  if (!file) return new Map();
  try {
    const saved = deserialize(readFileSync(file)) as { key?: unknown; entries?: unknown };
    if (saved.key !== key || !Array.isArray(saved.entries)) return new Map();
    // Each answer serialized on its own; a file of an earlier form (answers as objects, same tool version) is none.
    const entries = saved.entries as unknown[];
    if (!entries.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && ArrayBuffer.isView(entry[1]))) return new Map();
    return new Map(entries as [string, Buffer][]);
  } catch {
    // None yet, or damaged: asked again of the real shadow, and written anew.
    return new Map();
  }
}

/** Keeps `answers` as those of the shadow state `key` of `folder`'s migrations (replacing any other state's). */
export function saveShadowAnswers(folder: string, key: string, answers: ReadonlyMap<string, Buffer>): boolean {
  const file = answersFile(folder);
  if (!file) return false;
  const written = writeCacheFile(file, serialize({ key, entries: [...answers] }));
  if (written) keepNewest(dirname(file), KEPT_ANSWERS, ANSWERS_FILE);
  return written;
}

/** Recorded answers kept in one cache folder, one per migrations folder; the least recently written go first. */
export const KEPT_ANSWERS = 8;
const ANSWERS_FILE = /^answers-.*\.bin$/;

function answersFile(folder: string): string | undefined {
  const name = createHash('sha256').update(folder).digest('hex').slice(0, 16);
  return packageCacheFile('@electric-sql/pglite', (version) => `answers-${version}-${name}.bin`);
}

/** Statements a session sends that neither read nor change what the shadow holds (while nothing else did). */
const TRANSACTION_CONTROL = /^\s*(START\s+TRANSACTION|BEGIN|COMMIT|ROLLBACK|END|SAVEPOINT\s+\w+|RELEASE\s+(SAVEPOINT\s+)?\w+|ROLLBACK\s+TO\s+(SAVEPOINT\s+)?\w+)\s*;?\s*$/i;
/** `CREATE EXTENSION IF NOT EXISTS "name"`, which TypeORM sends on connecting: no change when it exists already. */
const CREATE_EXTENSION = /^\s*CREATE\s+EXTENSION\s+IF\s+NOT\s+EXISTS\s+"([^"]+)"\s*;?\s*$/i;
/** Read-only in form, but with an effect or an answer that is not the state's. */
const NOT_A_PLAIN_READ = /\b(nextval|setval|currval|lastval|set_config|pg_advisory\w*|pg_try_advisory\w*|txid_current\w*|pg_current_xact_id\w*|now|clock_timestamp|statement_timestamp|random|gen_random_uuid|uuid_generate_\w+|pg_sleep\w*|pg_backend_pid|inet_\w+|pg_notify|lo_\w+|dblink\w*)\s*\(|\bFOR\s+(UPDATE|SHARE|NO\s+KEY|KEY)\b|\bINTO\b/i;

function loadPg(): typeof pg {
  return require('pg') as typeof pg;
}

/** A `pg` query's result: what TypeORM reads of it. */
type QueryResultLike = { command: string; rowCount: number | null; rows: unknown[] };

export interface AnsweringShadowOptions {
  /** The answers recorded for the shadow's state; those learnt from the real shadow are added to it. */
  readonly answers: Answers;
  /** Starts the real shadow (in the saved state), on the first question the answers cannot answer; its URL. */
  readonly start: () => Promise<string>;
  /**
   * False: the real shadow is not yet in the state the answers are of (a replay brings it there): everything goes to
   * it and nothing is recorded until `record()`.
   */
  readonly recording?: boolean;
}

/**
 * A `pg` module for TypeORM's `driver` option: pools whose clients answer from `answers` while they can and otherwise
 * go to the real shadow, started then. `learnt` is true once an answer was added (worth saving).
 */
export class AnsweringShadow {
  readonly driver: { Pool: new (options: pg.PoolConfig) => unknown; defaults: typeof pg.defaults; types: typeof pg.types };
  /** Questions answered from the recording, and asked of the real shadow. */
  answered = 0;
  asked = 0;
  learnt = false;
  /** A statement changed the real shadow (or a session setting): nothing is recorded or answered after it. */
  private changed: boolean;
  /** Without recording at first: the questions asked while the data source connects (until `connected()`). */
  private connecting: { text: string; parameters: readonly unknown[] | undefined }[] | undefined;
  private collecting = true;
  private realPool: Promise<pg.Pool> | undefined;
  private wasStarted = false;
  private poolConfig: pg.PoolConfig = {};

  constructor(private readonly options: AnsweringShadowOptions) {
    this.changed = options.recording === false;
    if (this.changed) this.connecting = [];
    const shadow = this;
    class AnsweringPool extends EventEmitter {
      constructor(config: pg.PoolConfig) {
        super();
        shadow.poolConfig = config;
      }
      connect(callback?: (error: Error | undefined, client: AnsweringClient | undefined, release: (error?: unknown) => void) => void) {
        const client = new AnsweringClient(shadow);
        if (!callback) return Promise.resolve(client);
        callback(undefined, client, (error?: unknown) => client.release(error));
        return undefined;
      }
      end(callback?: (error?: Error) => void) {
        const ended = shadow.close();
        if (!callback) return ended;
        ended.then(() => callback(), (error: Error) => callback(error));
        return undefined;
      }
    }
    // `pg` itself is loaded only if the real shadow starts (TypeORM reads `defaults` only to set `parseInt8`).
    this.driver = {
      Pool: AnsweringPool,
      get defaults() {
        return loadPg().defaults;
      },
      get types() {
        return loadPg().types;
      },
    };
  }

  /**
   * The real shadow is now in the state the answers are of, its session as a new one's: the answers it gives from now
   * on are recorded (until a statement changes it), starting with those to the questions connecting asked.
   */
  async record(): Promise<void> {
    this.changed = false;
    const questions = this.connecting ?? [];
    this.connecting = undefined;
    if (questions.length === 0) return;
    // What connecting asked, asked again of this state: a connection to it starts by asking the same.
    const client = await this.realClient();
    try {
      for (const question of questions) await this.ask(client, question.text, question.parameters);
    } finally {
      client.release();
    }
  }

  /** The data source has connected: the questions asked so far are those `record()` asks again. */
  connected(): void {
    this.collecting = false;
  }

  /** Whether the real shadow was started (closed since or not). */
  get started(): boolean {
    return this.wasStarted;
  }

  /** Closes the real shadow's connections, if it was started. */
  async close(): Promise<void> {
    const pool = this.realPool;
    this.realPool = undefined;
    if (pool) await (await pool).end();
  }

  /** The answer to `text`, when the recording holds it and nothing has changed the shadow. */
  answer(text: string, parameters: readonly unknown[] | undefined): QueryResultLike | undefined {
    if (this.changed) return undefined;
    if (TRANSACTION_CONTROL.test(text)) return { command: text.trim().split(/\s+/)[0]!.toUpperCase(), rowCount: null, rows: [] };
    const answer = this.options.answers.get(questionKey(text, parameters));
    if (!answer) return undefined;
    this.answered += 1;
    return deserialize(answer) as Answer;
  }

  /** A client of the real shadow, started on first use. */
  async realClient(): Promise<pg.PoolClient> {
    this.wasStarted = true;
    this.realPool ??= this.options.start().then((url) => {
      const { connectionString: _placeholder, ...rest } = this.poolConfig;
      const pool = new (loadPg().Pool)({ ...rest, connectionString: url });
      pool.on('error', () => undefined);
      return pool;
    });
    return (await this.realPool).connect();
  }

  /** Sends `text` to the real shadow through `client`, recording the answer while the shadow is in its saved state. */
  async ask(client: pg.PoolClient, text: string, parameters: readonly unknown[] | undefined): Promise<QueryResultLike> {
    this.asked += 1;
    if (this.connecting && this.collecting && !TRANSACTION_CONTROL.test(text)) this.connecting.push({ text, parameters });
    if (this.changed || TRANSACTION_CONTROL.test(text)) return client.query(text, parameters as unknown[]);
    const extension = CREATE_EXTENSION.exec(text);
    if (extension) {
      const existed = await client.query('SELECT 1 FROM pg_extension WHERE extname = $1', [extension[1]]);
      const result = await client.query(text, parameters as unknown[]);
      if ((existed.rowCount ?? 0) > 0) this.remember(text, parameters, result);
      else this.changed = true;
      return result;
    }
    let result: pg.QueryResult;
    try {
      result = await client.query(text, parameters as unknown[]);
    } catch (error) {
      // A failed statement aborts the transaction: what follows is no longer asked of the saved state.
      this.changed = true;
      throw error;
    }
    if ((result.command === 'SELECT' || result.command === 'SHOW') && !NOT_A_PLAIN_READ.test(text)) this.remember(text, parameters, result);
    else this.changed = true;
    return result;
  }

  private remember(text: string, parameters: readonly unknown[] | undefined, result: pg.QueryResult): void {
    const key = questionKey(text, parameters);
    if (this.options.answers.has(key)) return;
    const answer: Answer = { command: result.command, rowCount: result.rowCount, rows: result.rows };
    this.options.answers.set(key, serialize(answer));
    this.learnt = true;
  }
}

/**
 * One connection as TypeORM sees it: answered from the recording until a question is not in it, then bound to a real
 * connection for the rest of its life (in the transaction it had begun, if any).
 */
class AnsweringClient extends EventEmitter {
  private real: pg.PoolClient | undefined;
  /** The transaction and savepoints answered as open, to open on the real connection when it takes over. */
  private open: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly shadow: AnsweringShadow) {
    super();
  }

  query(text: unknown, parametersOrCallback?: unknown, maybeCallback?: unknown): Promise<QueryResultLike> | undefined {
    const callback = (typeof parametersOrCallback === 'function' ? parametersOrCallback : maybeCallback) as
      | ((error: Error | null, result?: QueryResultLike) => void)
      | undefined;
    const parameters = Array.isArray(parametersOrCallback) ? (parametersOrCallback as unknown[]) : undefined;
    // One at a time, in order, as a real connection runs them.
    const result = this.queue.then(() => this.run(text, parameters));
    this.queue = result.catch(() => undefined);
    if (!callback) return result;
    result.then((value) => callback(null, value), (error: Error) => callback(error));
    return undefined;
  }

  private async run(text: unknown, parameters: unknown[] | undefined): Promise<QueryResultLike> {
    if (typeof text !== 'string') throw new TypeError('the shadow database takes queries as text');
    if (!this.real) {
      const answer = this.shadow.answer(text, parameters);
      if (answer) {
        this.open = openAfter(this.open, text);
        return answer;
      }
      this.real = await this.shadow.realClient();
      this.real.on('error', (error) => this.emit('error', error));
      for (const statement of this.open) await this.real.query(statement);
    }
    return this.shadow.ask(this.real, text, parameters);
  }

  release(error?: unknown): void {
    const real = this.real;
    this.real = undefined;
    real?.release(error instanceof Error ? error : undefined);
  }
}

/** What is open (a transaction, then savepoints) after `statement`, given what was open before it. */
export function openAfter(open: readonly string[], statement: string): string[] {
  const words = statement.trim().replace(/;$/, '').split(/\s+/);
  const verb = words[0]!.toUpperCase();
  const savepoint = (index: number) => (words[index]?.toUpperCase() === 'SAVEPOINT' ? words[index + 1] : words[index]);
  const upTo = (name: string | undefined, keep: boolean) => {
    const at = open.lastIndexOf(`SAVEPOINT ${name}`);
    return at < 0 ? [...open] : open.slice(0, keep ? at + 1 : at);
  };
  if (verb === 'BEGIN' || verb === 'START') return ['START TRANSACTION'];
  if (verb === 'SAVEPOINT') return [...open, `SAVEPOINT ${words[1]}`];
  if (verb === 'RELEASE') return upTo(savepoint(1), false);
  if (verb === 'ROLLBACK' && words[1]?.toUpperCase() === 'TO') return upTo(savepoint(2), true);
  if (verb === 'COMMIT' || verb === 'ROLLBACK' || verb === 'END') return [];
  return [...open];
}
