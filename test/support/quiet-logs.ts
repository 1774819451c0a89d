// Our own info logs (e.g. every reconciliation pass) are noise in test output.
process.env.LOG_LEVEL ??= 'warn';
