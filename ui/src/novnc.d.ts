/** The part of noVNC's RFB client the dashboard uses (noVNC ships no types). */
declare module "@novnc/novnc" {
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, urlOrChannel: string | WebSocket, options?: { wsProtocols?: string[]; shared?: boolean });
    scaleViewport: boolean;
    disconnect(): void;
  }
}
