import { context, trace, type AttributeValue } from '@opentelemetry/api';

/**
 * Records facts about the current call on its active span (the gRPC server span inside a handler),
 * named `gatehouse.<area>.<name>`. A no-op when nothing is traced. Never pass a credential.
 */
export function setSpanAttributes(attributes: Record<string, AttributeValue>): void {
  trace.getSpan(context.active())?.setAttributes(attributes);
}
