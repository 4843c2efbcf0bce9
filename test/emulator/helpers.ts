/**
 * Helpers for the emulator suites: an emulator plus an official node-sdk client that has
 * finished its license handshake, and raw HTTP helpers for what the SDK cannot send (`send`
 * with fetch; `sendRaw` with node:http, for the headers fetch sets itself, such as `Host`).
 */
import DescopeClient from "@descope/node-sdk";
import { request } from "node:http";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../emulator";

/** The management part of the official SDK. */
export type Management = ReturnType<typeof DescopeClient>["management"];

/** An emulator and an SDK client pointed at it. */
export interface Harness {
  emu: EmulatorHandle;
  sdk: ReturnType<typeof DescopeClient>;
  m: Management;
}

/** Resolves once `predicate` holds, polling every 5 ms (fails after `timeoutMs`). */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("waitFor: condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Starts an emulator and an SDK client, waits for the SDK's start-up license handshake to be
 * answered (so it cannot race the test's calls), then empties the request log.
 */
export async function startHarness(options: EmulatorOptions = {}, managementKey?: string): Promise<Harness> {
  const emu = await startEmulator(options);
  const sdk = DescopeClient({
    projectId: emu.projectId,
    managementKey: managementKey ?? emu.managementKey,
    baseUrl: emu.url,
  });
  await waitFor(() => emu.requests.all().some((r) => r.path === "/v1/mgmt/license"));
  // The SDK stores the tier in a .then() after the answer: give it a moment.
  await new Promise((r) => setTimeout(r, 20));
  emu.requests.clear();
  return { emu, sdk, m: sdk.management };
}

/** A raw answer. */
export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Sends one request with Node's fetch; `auth: false` omits the Authorization header. */
export async function send(
  emu: EmulatorHandle,
  method: string,
  path: string,
  body?: unknown,
  options: { auth?: boolean | string; rawBody?: string } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const auth = options.auth ?? true;
  if (auth) headers.Authorization = auth === true ? `Bearer ${emu.projectId}:${emu.managementKey}` : auth;
  const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(`${emu.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The recorded calls as `METHOD path` strings, the easiest thing to compare with literals. */
export function calls(emu: EmulatorHandle): string[] {
  return emu.requests.all().map((r) => `${r.method} ${r.path}`);
}

/**
 * Sends one request with exactly these headers over node:http (which, unlike fetch, lets a
 * test set `Host` or leave it out: `headers.host === null` sends none). Nothing is added.
 */
export function sendRaw(
  emu: EmulatorHandle,
  method: string,
  path: string,
  headers: Record<string, string | null>,
  body?: string,
): Promise<{ status: number; json: any }> {
  const sent = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== null));
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: emu.port, method, path, headers: sent, setHost: !("host" in headers) },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
