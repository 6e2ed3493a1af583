// Starts the real sesame-server on an ephemeral loopback port with a temp data
// dir, and talks HTTP to it with node:http (full control of methods, headers,
// cookies and oversized bodies, which fetch does not give).

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

const STARTUP_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

// Everything the server reads from the environment is set here, so a
// developer's own SESAME_* or DATABASE_URL cannot change what is tested.
function serverEnvironment(dataDir, settings) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("SESAME_") && name !== "DATABASE_URL") env[name] = value;
  }
  return { ...env, SESAME_LISTEN: "127.0.0.1:0", SESAME_DATA_DIR: dataDir, ...settings };
}

export class RunningServer {
  constructor(child, port, dataDir, logTail) {
    this.child = child;
    this.port = port;
    this.dataDir = dataDir;
    this.logTail = logTail;
  }

  // SIGTERM, then SIGKILL if it does not exit in time; removes the data dir.
  async stop() {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  // One exchange: { status, headers (lower-case names; set-cookie an array), text }.
  request(method, target, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body);
      const request = http.request(
        {
          host: "127.0.0.1",
          port: this.port,
          method,
          path: target,
          agent: false,
          headers: payload === undefined ? headers : { ...headers, "Content-Length": String(payload.length) },
        },
        (response) => {
          const chunks = [];
          response.on("data", (chunk) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", reject);
        },
      );
      // The server may answer (413) and stop reading before the whole body is
      // written; the answer still arrives, and is what counts.
      request.on("error", reject);
      request.end(payload);
    });
  }
}

// Starts the binary and resolves once it prints the port it listens on.
export async function startServer(binary, settings = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sesame-contract-"));
  const child = spawn(binary, ["serve"], {
    env: serverEnvironment(dataDir, settings),
    stdio: ["ignore", "ignore", "pipe"],
  });
  // Never leave it running, whatever happens to this process.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.removeListener("exit", killOnExit));

  const logTail = [];
  try {
    const port = await new Promise((resolve, reject) => {
      let pending = "";
      const timer = setTimeout(() => reject(new Error(`no port printed within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`sesame-server exited during start (code ${code}, signal ${signal}):\n${logTail.join("\n")}`));
      });
      // Keep reading stderr (the access log) for the whole run so the pipe never fills.
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (data) => {
        pending += data;
        let newline;
        while ((newline = pending.indexOf("\n")) !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          logTail.push(line);
          if (logTail.length > 200) logTail.shift();
          try {
            const entry = JSON.parse(line);
            if (typeof entry.port === "number" && entry.port > 0) {
              clearTimeout(timer);
              resolve(entry.port);
            }
          } catch {
            // not a JSON line
          }
        }
      });
    });
    child.removeAllListeners("exit");
    child.once("exit", () => process.removeListener("exit", killOnExit));
    return new RunningServer(child, port, dataDir, logTail);
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
