/**
 * @module
 * Turns a Kubernetes protobuf request body (`Content-Type: application/vnd.kubernetes.protobuf`)
 * into the JSON object the same request would have carried as `application/json`.
 *
 * kubectl 1.32 sends typed create requests (`kubectl create namespace`) this way
 * and does not retry with JSON on a 415, so the kinds it creates like that and
 * that we serve are decoded here; everything else is refused with 415.
 *
 * Mirrors k8s.io/apimachinery/pkg/runtime/serializer/protobuf (Serializer.Decode):
 * the 4-byte magic `k8s\0`, then a `runtime.Unknown` envelope whose `raw` holds
 * the object's own message.
 */
import { badRequest, unsupportedMediaType } from "../errors";
import type { JsonObject } from "../object";
import { decodeSelfSubjectAccessReview, decodeSelfSubjectRulesReview, decodeSubjectAccessReview } from "./authorization";
import { decodeDeployment } from "./deployment";
import { decodeEviction } from "./eviction";
import { decodeNamespace } from "./namespace";
import { decodePodDisruptionBudget } from "./poddisruptionbudget";
import { decodeBinding, decodeClusterRole, decodeRole } from "./rbac";
import { decodeServiceAccount } from "./serviceaccount";
import { decodeSecret } from "./secret";
import { decodeConfigMap } from "./configmap";
import { decodeTokenRequest } from "./token-request";
import { decodeResourceQuota } from "./resourcequota";
import { WireReader } from "./wire";

/** The prefix of every Kubernetes protobuf body: "k8s" and a NUL byte. */
export const PROTOBUF_MAGIC: readonly number[] = [0x6b, 0x38, 0x73, 0x00];

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

/** Decoders for `raw`, by "apiVersion/kind"; each returns the object without apiVersion and kind. */
const DECODERS: Readonly<Record<string, (reader: WireReader) => JsonObject>> = {
  "v1/Namespace": decodeNamespace,
  "authorization.k8s.io/v1/SelfSubjectAccessReview": decodeSelfSubjectAccessReview,
  "authorization.k8s.io/v1/SelfSubjectRulesReview": decodeSelfSubjectRulesReview,
  "authorization.k8s.io/v1/SubjectAccessReview": decodeSubjectAccessReview,
  "authorization.k8s.io/v1/LocalSubjectAccessReview": decodeSubjectAccessReview,
  "rbac.authorization.k8s.io/v1/Role": decodeRole,
  "rbac.authorization.k8s.io/v1/ClusterRole": decodeClusterRole,
  "rbac.authorization.k8s.io/v1/RoleBinding": decodeBinding,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": decodeBinding,
  "v1/ServiceAccount": decodeServiceAccount,
  "v1/Secret": decodeSecret,
  "v1/ConfigMap": decodeConfigMap,
  "authentication.k8s.io/v1/TokenRequest": decodeTokenRequest,
  "v1/ResourceQuota": decodeResourceQuota,
  "apps/v1/Deployment": decodeDeployment,
  "policy/v1/Eviction": decodeEviction,
  "policy/v1/PodDisruptionBudget": decodePodDisruptionBudget,
};

/** The `runtime.Unknown` envelope (typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4). */
interface Envelope {
  apiVersion: string;
  kind: string;
  /** A reader over `raw`, with offsets into the whole body; undefined when raw was absent. */
  raw: WireReader | undefined;
  contentEncoding: string;
  contentType: string;
}

/**
 * Decodes a Kubernetes protobuf body into `{apiVersion, kind, metadata, spec, status}`
 * as `encoding/json` would render the same object.
 *
 * @throws ApiError 400 BadRequest for a missing magic, malformed wire data or a missing kind/apiVersion;
 *   415 UnsupportedMediaType for a kind without a decoder here, or an encoded `raw`.
 * @example decodeKubernetesProtobuf(body) // {apiVersion: "v1", kind: "Namespace", metadata: {name: "foo"}, spec: {}, status: {}}
 */
export function decodeKubernetesProtobuf(bytes: Uint8Array): JsonObject {
  if (bytes.length === 0) throw badRequest("unable to decode protobuf body: empty body");
  if (bytes.length < PROTOBUF_MAGIC.length || PROTOBUF_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw badRequest(
      `provided data does not appear to be a protobuf message, expected prefix [${PROTOBUF_MAGIC.join(" ")}]`,
    );
  }
  if (bytes.length === PROTOBUF_MAGIC.length) throw badRequest("unable to decode protobuf body: empty body");

  const envelope = readEnvelope(new WireReader(bytes, "Unknown", PROTOBUF_MAGIC.length));
  // Upstream ignores these two; we cannot decompress or reinterpret raw, so refuse rather than misread it.
  if (envelope.contentEncoding !== "") {
    throw unsupportedMediaType(
      `protobuf bodies with contentEncoding "${envelope.contentEncoding}" are not supported; send application/json`,
    );
  }
  if (envelope.contentType !== "" && envelope.contentType !== PROTOBUF_CONTENT_TYPE) {
    throw unsupportedMediaType(
      `protobuf envelopes with contentType "${envelope.contentType}" are not supported; send application/json`,
    );
  }
  const { apiVersion, kind } = envelope;
  if (kind === "") throw badRequest("Object 'Kind' is missing in protobuf body");
  if (apiVersion === "") throw badRequest("Object 'apiVersion' is missing in protobuf body");

  const gvk = `${apiVersion}/${kind}`;
  // hasOwn: a kind such as "constructor" must not find an Object.prototype member.
  const decode = Object.hasOwn(DECODERS, gvk) ? DECODERS[gvk] : undefined;
  if (!decode) {
    throw unsupportedMediaType(
      `protobuf request bodies are not accepted for ${apiVersion} ${kind}; send it as application/json`,
    );
  }
  const raw = envelope.raw ?? new WireReader(new Uint8Array(0), kind);
  return { apiVersion, kind, ...decode(raw.withMessage(kind)) };
}

/** Reads the envelope; repeated fields are last-wins and a repeated typeMeta merges, as Go's Unmarshal does. */
function readEnvelope(reader: WireReader): Envelope {
  const envelope: Envelope = { apiVersion: "", kind: "", raw: undefined, contentEncoding: "", contentType: "" };
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        readTypeMeta(reader.readMessage(tag, "TypeMeta"), envelope);
        break;
      case 2:
        // The kind is known only once the whole envelope is read; the reader is lazy.
        envelope.raw = reader.readMessage(tag, "raw");
        break;
      case 3:
        envelope.contentEncoding = reader.readString(tag);
        break;
      case 4:
        envelope.contentType = reader.readString(tag);
        break;
      default:
        reader.skip(tag);
    }
  }
  return envelope;
}

function readTypeMeta(reader: WireReader, into: Envelope): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) into.apiVersion = reader.readString(tag);
    else if (tag.fieldNumber === 2) into.kind = reader.readString(tag);
    else reader.skip(tag);
  }
}
