// The distributed end-to-end suite on a controller backed by a throwaway PostgreSQL server.
import { startPostgres } from "../../../controller/dist/store/testing/postgres-server.js";
import { runDistributedSuite } from "./distributed-suite.js";

runDistributedSuite("distributed mode on PostgreSQL", async () => {
  const server = await startPostgres();
  return { database: await server.createDatabase(), cleanup: () => server.stop() };
});
