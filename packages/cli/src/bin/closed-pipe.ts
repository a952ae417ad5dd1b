/**
 * @module
 * A reader that goes away (`j shell logs | head`) is a normal way for a command-line tool to end: stop quietly
 * with the conventional status instead of crashing on EPIPE.
 */
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(141);
    throw error;
  });
}
