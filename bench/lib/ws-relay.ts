// The chat baseline: a bare WebSocket relay on this machine. Every frame a /visitor socket sends
// goes to every /agent socket, as Keepwell hands each new message to every agent stream.
import { createServer } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

const agents = new Set<WebSocket>();
const server = createServer((_request, response) => {
  response.writeHead(200).end("ok");
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (socket, request) => {
  if (request.url === "/agent") {
    agents.add(socket);
    socket.on("close", () => agents.delete(socket));
    return;
  }
  socket.on("message", (data) => {
    for (const agent of agents) agent.send(data);
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("ready\n"));

process.on("disconnect", () => process.exit(0));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
