/**
 * A tiny command-line client for the walkthrough (the example speaks JSON over gRPC, so buf curl
 * cannot call it without a schema):
 *
 *   GATEHOUSE_TOKEN=… node examples/notes/dist/client.js add "buy milk"
 *   GATEHOUSE_API_KEY=… node examples/notes/dist/client.js list
 *   node examples/notes/dist/client.js summarize
 *
 * NOTES_ADDR (default 127.0.0.1:50060). Prints the answer and the x-ratelimit-* headers; a refusal
 * prints its code, message and retry-after and exits 1.
 */
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { NotesServiceDefinition } from './notes-service';

const commands = {
  add: (args: string[]) => ({ method: NotesServiceDefinition.addNote, request: { text: args.join(' ') } }),
  list: () => ({ method: NotesServiceDefinition.listNotes, request: {} }),
  summarize: () => ({ method: NotesServiceDefinition.summarize, request: {} }),
};

const [name = '', ...args] = process.argv.slice(2);
if (!(name in commands)) {
  process.stderr.write(
    'usage: client.js add <text> | list | summarize   (GATEHOUSE_TOKEN or GATEHOUSE_API_KEY, NOTES_ADDR)\n',
  );
  process.exit(2);
}
const { method, request } = commands[name as keyof typeof commands](args);
const metadata = new Metadata();
if (process.env.GATEHOUSE_TOKEN) metadata.set('authorization', `Bearer ${process.env.GATEHOUSE_TOKEN}`);
else if (process.env.GATEHOUSE_API_KEY) metadata.set('x-api-key', process.env.GATEHOUSE_API_KEY);

const Notes = makeGenericClientConstructor(NotesServiceDefinition as unknown as ServiceDefinition, 'Notes');
const client = new Notes(process.env.NOTES_ADDR ?? '127.0.0.1:50060', credentials.createInsecure());
const headersOf = (received: Metadata) =>
  ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after', 'x-request-id']
    .filter((key) => received.get(key).length > 0)
    .map((key) => `${key}: ${String(received.get(key)[0])}`);

const call = client.makeUnaryRequest(
  method.path,
  (value: object) => Buffer.from(JSON.stringify(value)),
  (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
  request,
  metadata,
  { deadline: Date.now() + 5000 },
  (error: ServiceError | null, response?: unknown) => {
    client.close();
    if (error) {
      process.stderr.write(
        `${status[error.code]}: ${error.details}\n${headersOf(error.metadata).join('\n')}\n`,
      );
      process.exitCode = 1;
    } else {
      process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
    }
  },
);
call.on('metadata', (received: Metadata) => {
  const lines = headersOf(received);
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
});
