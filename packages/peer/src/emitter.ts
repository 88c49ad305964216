/**
 * A tiny typed event emitter. Listener exceptions never reach the peer's protocol logic: they
 * go to `onListenerError` (the peer reports them as `INTERNAL` errors).
 * @internal
 */
// biome-ignore lint/suspicious/noExplicitAny: listener signatures vary per event name.
export class Emitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private readonly listeners = new Map<keyof Events, Events[keyof Events][]>();
  /** Who is told when a name gains its first listener or loses its last (see {@link watch}). */
  private readonly watchers = new Map<keyof Events, ((listened: boolean) => void)[]>();

  constructor(private readonly onListenerError: (name: keyof Events, error: unknown) => void) {}

  on<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    // Copy on write so an emit in progress keeps its snapshot of listeners.
    const list = this.listeners.get(name);
    this.listeners.set(name, list === undefined ? [listener] : [...list, listener]);
    if (list === undefined) this.changed(name, true);
    return () => {
      const current = this.listeners.get(name);
      if (current === undefined) return;
      const i = current.indexOf(listener);
      if (i >= 0) {
        const next = current.slice();
        next.splice(i, 1);
        if (next.length === 0) {
          this.listeners.delete(name);
          this.changed(name, false);
        } else this.listeners.set(name, next);
      }
    };
  }

  /** `true` when `name` has at least one listener (callers skip building payloads otherwise). */
  has(name: keyof Events): boolean {
    return this.listeners.has(name);
  }

  /**
   * `onChange(listened)` now and whenever `name` gains its first listener or loses its last: a
   * caller asking on every step keeps the answer in a field of its own instead of asking here.
   */
  watch(name: keyof Events, onChange: (listened: boolean) => void): void {
    const list = this.watchers.get(name);
    this.watchers.set(name, list === undefined ? [onChange] : [...list, onChange]);
    onChange(this.listeners.has(name));
  }

  private changed(name: keyof Events, listened: boolean): void {
    const list = this.watchers.get(name);
    if (list !== undefined) for (const onChange of list) onChange(listened);
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
