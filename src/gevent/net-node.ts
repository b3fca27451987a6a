// What spindle/gevent's StreamServer and createConnection take from the streams layer, in
// one module that package.json maps as the internal import "#gevent-net": this file under
// the "node" condition, net-portable.ts for browsers and anything else. So a browser
// bundle of spindle/gevent carries no Node built-in (the streams layer needs node:net),
// and its StreamServer says plainly that it needs Node.

export { startServer } from "../streams/server.js";
export { openConnection } from "../streams/open-connection.js";
