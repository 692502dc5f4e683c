/** In-process pub/sub with Redis delivery semantics, for the memory KeyValueStore. */
export interface LocalChannels {
  publish(channel: string, message: string): void;
  /** Registers `onMessage`; returns its unsubscribe function (harmless to call twice). */
  subscribe(channel: string, onMessage: (message: string) => void): () => void;
  /** Drops every subscription. */
  clear(): void;
}

interface Subscription {
  onMessage: (message: string) => void;
}

/**
 * Delivers each message in its own microtask, like Redis delivers asynchronously: the publisher
 * never runs subscriber code on its own stack, and a subscriber that throws cannot break the
 * publisher or the other subscribers (its error goes to `onError`).
 */
export function createLocalChannels(onError: (error: unknown) => void): LocalChannels {
  const channels = new Map<string, Set<Subscription>>();

  return {
    publish(channel, message) {
      const subscriptions = channels.get(channel);
      if (subscriptions === undefined) return;
      for (const subscription of [...subscriptions]) {
        queueMicrotask(() => {
          if (!subscriptions.has(subscription)) return; // unsubscribed meanwhile
          try {
            subscription.onMessage(message);
          } catch (error) {
            onError(error);
          }
        });
      }
    },

    subscribe(channel, onMessage) {
      // Each call gets its own registration, so subscribing one function twice needs two unsubscribes.
      const subscription: Subscription = { onMessage };
      let subscriptions = channels.get(channel);
      if (subscriptions === undefined) {
        subscriptions = new Set();
        channels.set(channel, subscriptions);
      }
      subscriptions.add(subscription);
      const registered = subscriptions;
      return () => {
        registered.delete(subscription);
        if (registered.size === 0 && channels.get(channel) === registered) channels.delete(channel);
      };
    },

    clear() {
      for (const subscriptions of channels.values()) subscriptions.clear();
      channels.clear();
    },
  };
}
