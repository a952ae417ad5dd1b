// The distributed end-to-end suite on a controller with its default SQLite store.
import { runDistributedSuite } from "./distributed-suite.js";

runDistributedSuite("distributed mode on SQLite", async () => ({}));
