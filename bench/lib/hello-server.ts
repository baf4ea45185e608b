// The baseline: a bare Fastify hello-world route, run as its own process like the server under test.
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.stdout.write("ready\n");

// Started with an IPC channel: when the bench process goes away, so does the baseline.
process.on("disconnect", () => process.exit(0));
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
