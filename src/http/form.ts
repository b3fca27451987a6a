// request.post(): urlencoded and multipart forms, parsed by busboy from the body read
// whole (already bounded by the application's clientMaxSize). Fields come back in a
// multi-valued map (aiohttp's MultiDictProxy): text fields as strings, files as FileField.

import busboy from "busboy";
import type { IncomingHttpHeaders } from "node:http";
import { suspend, type Instruction } from "../index.js";
import { HTTPBadRequest } from "./exceptions.js";

/**
 * An uploaded file of a multipart form (aiohttp's FileField).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* upload(request: web.Request) {
 *   const form = yield* request.post();
 *   const file = form.get("file");
 *   if (!(file instanceof web.FileField)) throw new web.HTTPBadRequest();
 *   return new web.Response({ text: `${file.filename}: ${file.file.length} bytes` });
 * }
 * ```
 */
export class FileField {
  constructor(
    readonly name: string,
    readonly filename: string,
    /** The file's bytes. */
    readonly file: Buffer,
    readonly contentType: string,
  ) {}
}

/**
 * A form's fields by name, each name with one or more values (aiohttp's MultiDictProxy).
 *
 * @example
 * ```ts
 * import { web } from "spindle/http";
 *
 * function* handler(request: web.Request) {
 *   const form = yield* request.post();
 *   return web.jsonResponse({ tags: form.getAll("tag"), name: form.get("name") });
 * }
 * ```
 */
export class FormData {
  private readonly fields = new Map<string, Array<string | FileField>>();

  /** @internal */
  add(name: string, value: string | FileField): void {
    const list = this.fields.get(name);
    if (list === undefined) this.fields.set(name, [value]);
    else list.push(value);
  }
  /** The first value of `name`, or `fallback`. */
  get(name: string, fallback?: string | FileField): string | FileField | undefined {
    return this.fields.get(name)?.[0] ?? fallback;
  }
  /** Every value of `name`, in order. */
  getAll(name: string): Array<string | FileField> {
    return [...(this.fields.get(name) ?? [])];
  }
  has(name: string): boolean {
    return this.fields.has(name);
  }
  keys(): IterableIterator<string> {
    return this.fields.keys();
  }
  get size(): number {
    return this.fields.size;
  }
}

const FORM_WAIT = { describe: "a form being parsed" } as const;

/** Parses `body` as the form `headers` describe. */
export function* parseForm(
  headers: IncomingHttpHeaders,
  body: Buffer,
): Generator<Instruction | undefined, FormData, unknown> {
  const form = new FormData();
  const type = headers["content-type"] ?? "";
  if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) return form;
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers, limits: { fieldSize: body.length + 1 } });
  } catch (e) {
    throw new HTTPBadRequest({ text: `400: Bad Request (${(e as Error).message})` });
  }
  return yield* suspend<FormData>((waker) => {
    parser.on("field", (name: string, value: string) => form.add(name, value));
    parser.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () =>
        form.add(
          name,
          new FileField(name, info.filename ?? "", Buffer.concat(chunks), info.mimeType),
        ),
      );
    });
    parser.on("close", () => void waker.resume(form));
    parser.on("error", (e) =>
      waker.fail(new HTTPBadRequest({ text: `400: Bad Request (${(e as Error).message})` })),
    );
    parser.end(body);
    return () => parser.removeAllListeners();
  }, FORM_WAIT);
}
