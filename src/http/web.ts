// The names of aiohttp's `web` module, as spindle/http's `web` namespace.

export { Application, AppKey, DEFAULT_CLIENT_MAX_SIZE } from "./application.js";
export type { ApplicationOptions, AppSignalHandler } from "./application.js";
export * from "./exceptions.js";
export { FileResponse, type FileResponseOptions } from "./file-response.js";
export { FileField, FormData } from "./form.js";
export type { Handler, HandlerResult, Middleware, NextHandler } from "./handler.js";
export { Request } from "./request.js";
export {
  ConnectionResetError,
  jsonResponse,
  Response,
  StreamResponse,
  type CookieOptions,
  type JsonResponseOptions,
  type ResponseOptions,
  type WholeResponseOptions,
} from "./response.js";
export {
  delete_,
  get,
  head,
  MatchInfo,
  patch,
  post,
  put,
  route,
  Route,
  UrlDispatcher,
  type RouteDef,
  type RouteOptions,
} from "./router.js";
export {
  AppRunner,
  runApp,
  serveApp,
  TCPSite,
  type AppRunnerOptions,
  type RunAppOptions,
  type TCPSiteOptions,
} from "./runner.js";
export type { ServerOptions } from "./server.js";
export {
  WebSocketConnection,
  WebSocketResponse,
  WSCloseCode,
  WSMessage,
  WSMsgType,
  WSServerHandshakeError,
  type WebSocketOptions,
  type WSMsgTypeValue,
} from "./websocket.js";
