/**
 * For a list loaded again on each filter change: `begin()` at the start of a load answers whether
 * that load is still the latest when its answer arrives, so a slow answer to an earlier filter never
 * lands in the list a newer one drew.
 */
export function latestOnly(): () => () => boolean {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}
