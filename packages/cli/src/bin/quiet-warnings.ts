/**
 * @module
 * Keeps one Node warning out of the user's terminal: grpc-js sets the TLS server name to the target host,
 * and Node deprecates IP addresses there (DEP0123) although connecting to `127.0.0.1:PORT` over TLS is
 * normal for direct mode. Every other warning is printed as usual.
 */
process.removeAllListeners("warning");
process.on("warning", (warning: Error & { code?: string }) => {
  if (warning.code === "DEP0123") return;
  process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
});
