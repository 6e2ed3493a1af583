// The OpenAPI document as a checker of real exchanges: finds what the document
// promises for a method + path + status, and validates the answer's headers,
// content type and body against it with ajv (JSON Schema 2020-12, which is
// what OpenAPI 3.1 schemas are).

import assert from "node:assert/strict";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const DOCUMENT_ID = "openapi.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const escapePointer = (segment) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

function lookup(document, pointer) {
  assert.ok(pointer.startsWith("#/"), `only local references are expected, got ${pointer}`);
  let node = document;
  for (const part of pointer.slice(2).split("/")) {
    node = node?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  assert.notEqual(node, undefined, `dangling reference ${pointer}`);
  return node;
}

// A path template ("/api/v1/auth/sessions/{id}") as a matcher; literal
// segments are preferred over parameters, as the server's router does.
function templateMatcher(template) {
  const segments = template.split("/").slice(1);
  const pattern = segments.map((s) => (/^\{[^}]+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return {
    template,
    regex: new RegExp(`^/${pattern.join("/")}$`),
    literals: segments.filter((s) => !s.startsWith("{")).length,
  };
}

export class Contract {
  constructor(document) {
    this.document = document;
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(this.ajv);
    // The document is registered whole so that "#/components/..." references
    // resolve; its OpenAPI members are not JSON Schema keywords.
    this.ajv.addVocabulary(Object.keys(document));
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.validators = new Map();
    this.matchers = Object.keys(document.paths)
      .map(templateMatcher)
      .sort((a, b) => b.literals - a.literals);
    this.validated = 0;
    this.observed = new Set();
  }

  // [{ method: "POST", template: "/api/v1/auth/token" }, ...]
  operations() {
    const out = [];
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of METHODS) if (item[method]) out.push({ method: method.toUpperCase(), template });
    }
    return out;
  }

  // Every (method, path, status) the document lists, as "METHOD template status".
  documentedResponses() {
    const out = [];
    for (const { method, template } of this.operations()) {
      const operation = this.document.paths[template][method.toLowerCase()];
      for (const status of Object.keys(operation.responses)) out.push(`${method} ${template} ${status}`);
    }
    return out;
  }

  validatorAt(pointer) {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  schemaErrors(pointer, value) {
    const validate = this.validatorAt(pointer);
    return validate(value) ? null : this.ajv.errorsText(validate.errors, { separator: "\n  " });
  }

  matchPath(requestPath) {
    return this.matchers.find((m) => m.regex.test(requestPath))?.template;
  }

  // The documented response for this exchange, as { pointer, response, key }:
  // the operation's answer, or the router's (unknown path, other method).
  documentedResponse(method, requestPath, status) {
    const template = this.matchPath(requestPath);
    const item = template && this.document.paths[template];
    const operation = item?.[method.toLowerCase()];
    let pointer;
    let key;
    if (operation) {
      pointer = `#/paths/${escapePointer(template)}/${method.toLowerCase()}/responses/${status}`;
      key = `${method} ${template} ${status}`;
      assert.ok(operation.responses[status], `${key} is not documented (documented: ${Object.keys(operation.responses).join(", ")})`);
    } else {
      // Any request may meet 413 or 503 before routing; else 404 or 405.
      const allowed = new Set(["413", "503", template ? "405" : "404"]);
      key = `${method} ${template ?? "<unknown path>"} ${status}`;
      assert.ok(
        allowed.has(String(status)) && this.document["x-sesame-router-responses"][status],
        `${method} ${requestPath} answered ${status}, which the router does not document for ${template ? "a method the path does not serve" : "an unknown path"}`,
      );
      pointer = `#/x-sesame-router-responses/${status}`;
    }
    let response = lookup(this.document, pointer);
    while (response.$ref) {
      pointer = response.$ref;
      response = lookup(this.document, pointer);
    }
    return { pointer, response, key, template, operation };
  }

  // Validates one exchange against the document; fails on anything the
  // document does not promise. Returns the parsed JSON body (or null).
  check(method, requestPath, exchange) {
    const context = `${method} ${requestPath} -> ${exchange.status}: ${exchange.text.slice(0, 2000)}`;
    const { pointer, response, key, template, operation } = this.documentedResponse(method, requestPath, exchange.status);

    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const headerPointer = declared.$ref ?? `${pointer}/headers/${escapePointer(name)}`;
      const header = lookup(this.document, headerPointer);
      const value = exchange.headers[name.toLowerCase()];
      if (value === undefined) {
        assert.ok(!header.required, `${context}\nthe required header ${name} is missing`);
        continue;
      }
      for (const single of Array.isArray(value) ? value : [value]) {
        // Header values are text; an integer header is checked as the number it spells.
        const typed = header.schema.type === "integer" && /^-?[0-9]+$/.test(single) ? Number(single) : single;
        const errors = this.schemaErrors(`${headerPointer}/schema`, typed);
        assert.equal(errors, null, `${context}\nheader ${name}: ${single}: ${errors}`);
      }
    }
    if (String(exchange.status) === "405") {
      const served = METHODS.filter((m) => this.document.paths[template]?.[m]).map((m) => m.toUpperCase());
      const allow = (exchange.headers.allow ?? "").split(",").map((m) => m.trim()).filter(Boolean);
      assert.deepEqual(allow.sort(), served.sort(), `${context}\nAllow differs from the methods documented for ${template}`);
    }

    let body = null;
    if (!response.content) {
      assert.equal(exchange.text, "", `${context}\nthe document promises no body`);
    } else {
      const mediaType = (exchange.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      assert.ok(
        response.content[mediaType],
        `${context}\nContent-Type ${mediaType || "(none)"} is not documented (${Object.keys(response.content).join(", ")})`,
      );
      // JSON bodies are parsed; files (the demo page, the SDK) are checked as text.
      body = /(^|\+|\/)json$/.test(mediaType) ? JSON.parse(exchange.text) : exchange.text;
      const errors = this.schemaErrors(`${pointer}/content/${escapePointer(mediaType)}/schema`, body);
      assert.equal(errors, null, `${context}\nthe body does not match the document:\n  ${errors}`);
      if (mediaType === "application/problem+json") {
        assert.equal(body.status, exchange.status, `${context}\nproblem status differs from the HTTP status`);
        assert.equal(body.request_id, exchange.headers["x-request-id"], `${context}\nrequest_id differs from X-Request-Id`);
        if (exchange.headers["retry-after"] !== undefined) {
          assert.equal(String(body.retry_after), exchange.headers["retry-after"], `${context}\nretry_after differs from Retry-After`);
        }
      }
    }
    this.validated += 1;
    this.observed.add(key);
    return { body, operation };
  }

  // Compiles every schema the document holds (strict mode catches misspelt
  // keywords and dangling references even where no exchange reaches) and
  // returns how many.
  compileAll() {
    const pointers = [];
    const visit = (node, pointer) => {
      if (node === null || typeof node !== "object") return;
      if (typeof node.$ref === "string") lookup(this.document, node.$ref);
      for (const [key, child] of Object.entries(node)) {
        const childPointer = `${pointer}/${escapePointer(key)}`;
        if (key === "schema" && child && typeof child === "object" && !Array.isArray(child)) pointers.push(childPointer);
        else visit(child, childPointer);
      }
    };
    visit(this.document.paths, "#/paths");
    visit(this.document.components.parameters, "#/components/parameters");
    visit(this.document.components.headers, "#/components/headers");
    visit(this.document.components.responses, "#/components/responses");
    for (const name of Object.keys(this.document.components.schemas)) pointers.push(`#/components/schemas/${escapePointer(name)}`);
    for (const pointer of pointers) this.validatorAt(pointer);
    return pointers.length;
  }

  // A request body the server accepted must be one the document accepts.
  checkAcceptedRequestBody(method, requestPath, requestBody) {
    const template = this.matchPath(requestPath);
    const operation = this.document.paths[template]?.[method.toLowerCase()];
    if (!operation?.requestBody) return;
    const pointer = `#/paths/${escapePointer(template)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
    const errors = this.schemaErrors(pointer, JSON.parse(requestBody));
    assert.equal(errors, null, `${method} ${requestPath}: the server accepted a body the document refuses:\n  ${errors}`);
  }
}
