/**
 * The example's contract, hand-written instead of generated: a grpc-js service definition with a
 * JSON codec. The example must not add a proto to the public API in protos/ (buf lint, the shared
 * generated code); JSON keeps it readable and callable from any grpc-js client. The shapes below
 * are the whole contract.
 */
export const notesServiceName = 'gatehouse.examples.notes.v1.NotesService';

export interface Note {
  id: string;
  text: string;
  /** Principal subject of the author. */
  author: string;
  createdAt: string;
}

export interface AddNoteRequest {
  text: string;
}
export interface AddNoteResponse {
  note: Note;
}
export interface ListNotesRequest {
  /** Most recent first; default 50. */
  limit?: number;
}
export interface ListNotesResponse {
  notes: Note[];
}
export interface SummarizeRequest {
  /** Longest summary in characters; default 200. */
  maxLength?: number;
}
export interface SummarizeResponse {
  summary: string;
  /** What the summary cost, charged to the caller's budget. */
  costMicros: number;
}

function jsonMethod<Req, Res>(name: string) {
  return {
    path: `/${notesServiceName}/${name}`,
    requestStream: false as const,
    responseStream: false as const,
    originalName: name,
    requestSerialize: (value: Req): Buffer => Buffer.from(JSON.stringify(value)),
    requestDeserialize: (bytes: Buffer): Req =>
      (bytes.length === 0 ? {} : JSON.parse(bytes.toString())) as Req,
    responseSerialize: (value: Res): Buffer => Buffer.from(JSON.stringify(value)),
    responseDeserialize: (bytes: Buffer): Res => JSON.parse(bytes.toString()) as Res,
  };
}

export const NotesServiceDefinition = {
  /** Cheap: stores one note (scope notes:write). */
  addNote: jsonMethod<AddNoteRequest, AddNoteResponse>('AddNote'),
  /** Cheap: the caller's notes (scope notes:read). */
  listNotes: jsonMethod<ListNotesRequest, ListNotesResponse>('ListNotes'),
  /** Expensive: a summary of the caller's notes (scope notes:read), paid from the caller's budget. */
  summarize: jsonMethod<SummarizeRequest, SummarizeResponse>('Summarize'),
} as const;

export type NotesServiceDefinition = typeof NotesServiceDefinition;
