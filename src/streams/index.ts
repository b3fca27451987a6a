// Streams: asyncio's TCP/TLS/Unix streams and subprocesses on Node sockets and pipes.
export {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  GaiError,
  IncompleteReadError,
  LimitOverrunError,
  OSError,
  osError,
} from "./errors.js";
export {
  DEFAULT_LIMIT,
  StreamReader,
  type ByteSource,
  type StreamReaderOptions,
} from "./stream-reader.js";
export { StreamWriter, type ExtraInfoName, type StreamWriterOptions } from "./stream-writer.js";
export { Server, startServer, type ConnectionHandler, type ServerOptions } from "./server.js";
export { openConnection, type ConnectionOptionsLike } from "./open-connection.js";
export { openUnixConnection, startUnixServer } from "./unix.js";
export {
  Process,
  createSubprocessExec,
  createSubprocessShell,
  type StdioOption,
  type SubprocessOptions,
} from "./subprocess.js";
