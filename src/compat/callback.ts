/** pg's dual API: every call returns a promise unless given a node-style callback. */

/** A node-style callback as pg takes it. */
export type Callback<T> = (error: Error | null, result?: T) => void

/** `query(text, values?, callback?)`: a function in the place of values is the callback. */
export function splitQueryArgs<T>(
  values: readonly unknown[] | Callback<T> | undefined,
  callback: Callback<T> | undefined,
): { values: readonly unknown[] | undefined; callback: Callback<T> | undefined } {
  return typeof values === 'function' ? { values: undefined, callback: values } : { values, callback }
}

/** Return `promise`, or hand its outcome to `callback` when one was given. */
export function settle<T>(promise: Promise<T>, callback: Callback<T> | undefined): Promise<T> | void {
  if (!callback) return promise
  promise.then(
    (result) => callback(null, result),
    (error: Error) => callback(error),
  )
}
