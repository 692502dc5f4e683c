import { randomUUID } from 'node:crypto';
import { budgetV1 } from '@gatehouse/contracts';
import { requirePrincipal, withBudget } from '@gatehouse/interceptors';
import {
  GatehouseError,
  setSpanAttributes,
  type CallContext,
  type ServiceImplementation,
} from '@gatehouse/runtime';
import type { Note, NotesServiceDefinition } from './notes-service';

export interface NotesHandlerOptions {
  /** Present when budgets are on: Summarize reserves, runs, then commits its actual cost. */
  budgetClient?: budgetV1.CostBudgetServiceClient;
  /** Reserved per Summarize call, in micros. */
  summarizeEstimateMicros: number;
  /** Charged per note summarized, in micros (the "actual" cost, at most the estimate). */
  summarizeMicrosPerNote: number;
  /** Notes kept per author (oldest dropped). */
  maxNotesPerAuthor?: number;
}

/** The verified caller, also recorded on the call's span (its subject only, never the credential). */
function callerOf(context: CallContext) {
  const principal = requirePrincipal(context);
  setSpanAttributes({ 'gatehouse.auth.subject': principal.subject });
  return principal;
}

/** In-memory notes per author; each author sees only their own. */
export function notesHandlers(options: NotesHandlerOptions): ServiceImplementation<NotesServiceDefinition> {
  const notes = new Map<string, Note[]>();
  const maxNotes = options.maxNotesPerAuthor ?? 1000;
  const notesOf = (author: string) => notes.get(author) ?? [];
  return {
    addNote: async (request, context) => {
      const author = callerOf(context).subject;
      const text = typeof request.text === 'string' ? request.text.trim() : '';
      if (text === '') throw GatehouseError.invalidArgument('text', 'must not be empty');
      if (text.length > 10_000) throw GatehouseError.invalidArgument('text', 'at most 10000 characters');
      const note: Note = { id: randomUUID(), text, author, createdAt: new Date().toISOString() };
      let mine = notes.get(author);
      if (mine === undefined) notes.set(author, (mine = []));
      mine.push(note);
      if (mine.length > maxNotes) mine.splice(0, mine.length - maxNotes);
      return { note };
    },
    listNotes: async (request, context) => {
      const author = callerOf(context).subject;
      const limit = Math.min(Math.max(Number(request.limit) || 50, 1), 500);
      return { notes: notesOf(author).slice(-limit).reverse() };
    },
    summarize: async (request, context) => {
      const principal = callerOf(context);
      const maxLength = Math.min(Math.max(Number(request.maxLength) || 200, 10), 2000);
      const summarizeNotes = async () => {
        const mine = notesOf(principal.subject);
        const summary = mine
          .map((note) => note.text.split(/\s+/).slice(0, 5).join(' '))
          .join('; ')
          .slice(0, maxLength);
        const costMicros = Math.min(
          options.summarizeEstimateMicros,
          Math.max(1, mine.length) * options.summarizeMicrosPerNote,
        );
        return { summary, costMicros };
      };
      if (options.budgetClient === undefined) return summarizeNotes();
      let result: { summary: string; costMicros: number } | undefined;
      await withBudget(
        context,
        options.summarizeEstimateMicros,
        async () => {
          result = await summarizeNotes();
          return result.costMicros;
        },
        {
          budgetClient: options.budgetClient,
          scopes: [{ kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: principal.subject }],
          description: 'notes summary',
        },
      );
      return result!;
    },
  };
}
