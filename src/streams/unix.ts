// Unix domain sockets: asyncio's start_unix_server and open_unix_connection. Same streams,
// same server; peername/sockname are paths (the client's own name is "", as unbound).

import type { Operation } from "../kernel/operation.js";
import { connect, type ConnectionOptionsLike } from "./open-connection.js";
import { serve, type ConnectionHandler, type Server, type ServerOptions } from "./server.js";
import type { StreamReader } from "./stream-reader.js";
import type { StreamWriter } from "./stream-writer.js";

/**
 * Starts a server on a Unix socket at `path` (asyncio.start_unix_server).
 *
 * @example
 * ```ts
 * const server = yield* startUnixServer(handler, "/tmp/echo.sock");
 * ```
 */
export function startUnixServer(
  handler: ConnectionHandler,
  path: string,
  options: ServerOptions = {},
): Operation<Server> {
  return serve(handler, { path }, options);
}

/**
 * Connects to a Unix socket (asyncio.open_unix_connection).
 *
 * @example
 * ```ts
 * const [reader, writer] = yield* openUnixConnection("/tmp/echo.sock");
 * ```
 */
export function openUnixConnection(
  path: string,
  options: ConnectionOptionsLike = {},
): Operation<[StreamReader, StreamWriter]> {
  return connect({ path }, options, `unix:${path}`, path);
}
