/**
 * The fencing token a reconcile writes with is the one current when it began: a reconcile that
 * straddles a lost and regained lease must not write what it decided under the old term with
 * the new term's token.
 */
export function pinFencingToken<D extends { fencingToken: () => number }>(deps: D): D {
  const token = deps.fencingToken();
  return { ...deps, fencingToken: () => token };
}
