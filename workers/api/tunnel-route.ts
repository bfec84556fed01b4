/**
 * @module
 * `GET /apis/hosts.duraplane.io/v1/nodes/{node}/tunnel`: a host agent's
 * outbound WebSocket to its node's NodeTunnel. Only the node's own token may
 * open it (a token bound to another node, or a user, gets 403); the tunnel
 * is told which credential opened it, so a second tunnel from another
 * credential is refused while the first is up.
 */
import { Hono } from "hono";
import { HOSTS_API_PREFIX } from "../../shared/hosts/constants";
import { badRequest, forbidden } from "../../shared/k8s/errors";
import { TUNNEL_CREDENTIAL_HEADER, TUNNEL_NODE_HEADER } from "../tunnel/node-tunnel";
import { hashToken, type UserInfo } from "./auth";

/** The tunnel's path for a node. */
export function tunnelPath(node: string): string {
  return `${HOSTS_API_PREFIX}/nodes/${encodeURIComponent(node)}/tunnel`;
}

export const tunnel = new Hono<{ Bindings: Env; Variables: { user: UserInfo } }>();

tunnel.get(`${HOSTS_API_PREFIX}/nodes/:name/tunnel`, async (c) => {
  const node = c.req.param("name");
  const user = c.get("user");
  if (user.node !== node) throw forbidden(`User "${user.username}" cannot open the tunnel of node "${node}": only that node's own credential may`);
  if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") throw badRequest("the tunnel is a WebSocket upgrade");
  const token = /^Bearer\s+(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  const headers = new Headers(c.req.raw.headers);
  headers.delete("authorization");
  headers.set(TUNNEL_CREDENTIAL_HEADER, await hashToken(token));
  headers.set(TUNNEL_NODE_HEADER, node);
  return c.env.NODE_TUNNELS.getByName(node).fetch("https://tunnel/connect", { headers });
});
