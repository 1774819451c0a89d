// Imported first by benchmarks: the loggers read LOG_LEVEL when they load, and request logs would skew the numbers.
process.env.LOG_LEVEL ??= 'error';
