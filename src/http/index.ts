/**
 * spindle/http: aiohttp's web server, client and WebSockets on the spindle loop — node:http
 * parses, find-my-way routes, undici carries the client, ws frames WebSockets. `web` holds
 * the server's names as aiohttp's module does. This file only re-exports.
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * const app = new web.Application();
 * app.router.addGet("/", function* (request) {
 *   return new web.Response({ text: request.path, status: 201 });
 * });
 * app.router.addGet("/{id}", function* (request) {
 *   console.log(String(request.matchInfo), request.queryString);
 *   return new web.Response({ text: request.matchInfo.get("id", "0000") });
 * });
 * await web.runApp(app, { host: "0.0.0.0", port: 9977 });
 * ```
 *
 * @module
 */

export * as web from "./web.js";
export {
  ClientConnectorError,
  ClientError,
  ClientResponse,
  ClientResponseError,
  ClientSession,
  ClientTimeoutError,
  type ClientSessionOptions,
  type ClientTimeout,
  type RequestOptions,
} from "./client.js";
