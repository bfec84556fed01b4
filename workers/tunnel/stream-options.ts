/**
 * @module
 * The query parameters of the streaming subresources, parsed and validated
 * as upstream does: PodLogOptions (ValidatePodLogOptions: 422 for values out
 * of range, 400 for what does not parse) and PodExecOptions / PodAttachOptions
 * (400 without a command or without any stream).
 */
import { badRequest, invalid, type StatusCause } from "../../shared/k8s/errors";
import type { LogOptions, ProcessOptions } from "../../shared/tunnel/frames";

function bool(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null || v === "" || v === "false" || v === "0") return false;
  if (v === "true" || v === "1") return true;
  throw badRequest(`invalid value for ${key}: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function int(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw badRequest(`invalid value for ${key}: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** PodLogOptions from a pods/log query. */
export function logOptionsOf(q: URLSearchParams, pod: string): LogOptions {
  const tailLines = int(q, "tailLines");
  const limitBytes = int(q, "limitBytes");
  const sinceSeconds = int(q, "sinceSeconds");
  const sinceTime = q.get("sinceTime") ?? undefined;
  const causes: StatusCause[] = [];
  if (tailLines !== undefined && tailLines < 0) causes.push({ reason: "FieldValueInvalid", field: "tailLines", message: `Invalid value: ${tailLines}: must be greater than or equal to 0` });
  if (limitBytes !== undefined && limitBytes < 1) causes.push({ reason: "FieldValueInvalid", field: "limitBytes", message: `Invalid value: ${limitBytes}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push({ reason: "FieldValueInvalid", field: "sinceSeconds", message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceTime !== undefined) causes.push({ reason: "FieldValueForbidden", message: "at most one of `sinceTime` or `sinceSeconds` may be specified" });
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`invalid value for sinceTime: parsing time "${sinceTime}" as RFC3339`);
  if (causes.length > 0) throw invalid("PodLogOptions", pod, causes);
  return {
    follow: bool(q, "follow"), previous: bool(q, "previous"), timestamps: bool(q, "timestamps"),
    ...(tailLines !== undefined ? { tailLines } : {}), ...(limitBytes !== undefined ? { limitBytes } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}), ...(sinceTime !== undefined ? { sinceTime: new Date(Date.parse(sinceTime)).toISOString() } : {}),
  };
}

/** PodExecOptions (`exec`, with a command) or PodAttachOptions (`attach`). */
export function processOptionsOf(q: URLSearchParams, exec: boolean): ProcessOptions {
  const command = q.getAll("command");
  const opts = { command, stdin: bool(q, "stdin"), stdout: bool(q, "stdout"), stderr: bool(q, "stderr"), tty: bool(q, "tty") };
  if (exec && command.length === 0) throw badRequest("you must specify at least 1 command");
  if (command.length > 256 || command.some((c) => c.length > 64 * 1024)) throw badRequest("the command is too long");
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw badRequest("you must specify at least one of stdin, stdout, stderr");
  // With a terminal, stderr is merged into stdout (upstream refuses both together for exec, and kubectl never asks).
  if (opts.tty && opts.stderr) opts.stderr = false;
  return opts;
}
