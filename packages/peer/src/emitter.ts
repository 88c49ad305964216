/**
 * A tiny typed event emitter. Listener exceptions never reach the peer's protocol logic: they
 * go to `onListenerError` (the peer reports them as `INTERNAL` errors).
 * @internal
 */
// biome-ignore lint/suspicious/noExplicitAny: listener signatures vary per event name.
export class Emitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private readonly listeners = new Map<keyof Events, Events[keyof Events][]>();

  constructor(private readonly onListenerError: (name: keyof Events, error: unknown) => void) {}

  on<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    // Copy on write so an emit in progress keeps its snapshot of listeners.
    const list = this.listeners.get(name);
    this.listeners.set(name, list === undefined ? [listener] : [...list, listener]);
    return () => {
      const current = this.listeners.get(name);
      if (current === undefined) return;
      const i = current.indexOf(listener);
      if (i >= 0) {
        const next = current.slice();
        next.splice(i, 1);
        if (next.length === 0) this.listeners.delete(name);
        else this.listeners.set(name, next);
      }
    };
  }

  /** `true` when `name` has at least one listener (callers skip building payloads otherwise). */
  has(name: keyof Events): boolean {
    return this.listeners.has(name);
  }

  emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    const list = this.listeners.get(name);
    if (list === undefined) return;
    for (const listener of list) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (error) {
        this.onListenerError(name, error);
      }
    }
  }
}
