import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type Client,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { NotesServiceDefinition } from '@gatehouse/example-notes';

/** How one call to the notes example ended: its status code, and the headers or trailers it carried. */
export interface NotesOutcome {
  code: status;
  details: string;
  response: unknown;
  /** Response headers on success, trailers on a refusal. */
  metadata: Metadata;
}

export type Credential = { bearer: string } | { apiKey: string } | undefined;

export interface NotesCaller {
  call(
    method: keyof typeof NotesServiceDefinition,
    request: object,
    credential: Credential,
  ): Promise<NotesOutcome>;
  close(): void;
}

/** A plain grpc-js client of the example (JSON codec), resolving every outcome instead of rejecting. */
export function notesCaller(address: string): NotesCaller {
  const Notes = makeGenericClientConstructor(NotesServiceDefinition as unknown as ServiceDefinition, 'Notes');
  const client: Client = new Notes(address, credentials.createInsecure());
  return {
    call: (method, request, credential) =>
      new Promise((resolve) => {
        const metadata = new Metadata();
        if (credential !== undefined && 'bearer' in credential) {
          metadata.set('authorization', `Bearer ${credential.bearer}`);
        } else if (credential !== undefined) {
          metadata.set('x-api-key', credential.apiKey);
        }
        let headers = new Metadata();
        const pending = client.makeUnaryRequest(
          NotesServiceDefinition[method].path,
          (value: object) => Buffer.from(JSON.stringify(value)),
          (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
          request,
          metadata,
          { deadline: Date.now() + 5000 },
          (error: ServiceError | null, response?: unknown) =>
            resolve(
              error === null
                ? { code: status.OK, details: '', response, metadata: headers }
                : { code: error.code, details: error.details, response: undefined, metadata: error.metadata },
            ),
        );
        pending.on('metadata', (received: Metadata) => {
          headers = received;
        });
      }),
    close: () => client.close(),
  };
}

/** The single value of a metadata key, or undefined. */
export function header(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  return values.length === 0 ? undefined : String(values[0]);
}
