/** Knobs of the trunk monitor that are not environment variables; the defaults suit production. */
export interface MonitorTuning {
  /** Trunks per page when polling (the API's maximum is unconfirmed; 100 is within every documented limit). */
  pageSize: number;
  /** Topics per channel; the Notifications API allows 1000 per socket. */
  topicsPerChannel: number;
  /** Silence after which the socket is asked `{"message":"ping"}`. */
  pingAfterMs: number;
  /** Silence after which the socket is given up: two missed 30 s heartbeats plus slack. */
  heartbeatTimeoutMs: number;
  /** Re-subscribe this long before a channel's `expires` (channels live 24 h unless re-subscribed). */
  resubscribeBeforeExpiryMs: number;
  /** Reconnect backoff after the first immediate retry: full jitter, exponential from base to cap. */
  reconnectBackoff: { baseMs: number; capMs: number };
  /** Websocket handshake deadline. */
  handshakeTimeoutMs: number;
}

export const DEFAULT_MONITOR_TUNING: MonitorTuning = {
  pageSize: 100,
  topicsPerChannel: 1000,
  pingAfterMs: 35_000,
  heartbeatTimeoutMs: 65_000,
  resubscribeBeforeExpiryMs: 3_600_000,
  reconnectBackoff: { baseMs: 1_000, capMs: 60_000 },
  handshakeTimeoutMs: 10_000,
};
