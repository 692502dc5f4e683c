import { GatehouseError } from '../errors/gatehouse-error';
import { isPending, type Guard } from './admission';

/** How guarded work ended: what it returned, or what it threw. */
export type WorkEnd<T> = { readonly result: T } | { readonly error: unknown };

/**
 * The same guards inside a handler, around one piece of work instead of a whole call (e.g. paying
 * for an expensive step from a budget): a refusal is thrown as its GatehouseError and the work
 * never runs; admitted, the work runs and the guard's `onEnd` sees how it ended before its result
 * is returned or its error rethrown.
 */
export async function runGuarded<Call, T>(
  guard: Guard<Call, WorkEnd<T>>,
  call: Call,
  work: () => Promise<T>,
): Promise<T> {
  let answer;
  try {
    answer = guard(call);
    if (isPending(answer)) answer = await answer;
  } catch (error) {
    throw GatehouseError.from(error);
  }
  if (!answer.admitted) throw answer.error;
  let result: T;
  try {
    result = await work();
  } catch (error) {
    answer.onEnd?.({ error });
    throw error;
  }
  answer.onEnd?.({ result });
  return result;
}
