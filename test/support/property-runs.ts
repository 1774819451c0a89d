/**
 * How many random cases a property test tries. The unit tier samples a twentieth of them (fast-check's fresh seed at
 * every run, so samples differ from run to run); the properties tier (test/support/full-property-runs.ts) runs them
 * all with a fixed seed.
 */
export const propertyRuns = (full: number): number =>
  process.env.PROPERTY_RUNS === 'full' ? full : Math.max(10, Math.round(full / 20));
