import fc from 'fast-check';

// The properties tier: every property test at its full number of runs, from a fixed seed so a run is reproducible
// (PROPERTY_SEED picks another; a failure prints its seed and path either way).
process.env.PROPERTY_RUNS = 'full';
fc.configureGlobal({ seed: Number(process.env.PROPERTY_SEED ?? 20261124) });
