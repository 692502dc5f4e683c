// The example notes service: a grpc-js server protected by the Gatehouse interceptors.
export { startNotesApp } from './app';
export { readNotesConfig, type NotesConfig, type NotesSettings } from './config';
export { notesHandlers, type NotesHandlerOptions } from './notes-handlers';
export * from './notes-service';
