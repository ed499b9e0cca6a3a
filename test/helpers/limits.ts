/**
 * Every test client connects from 127.0.0.1, so the per-address limits (matchmaking,
 * reservations, connections, spectators, lobby) would soon refuse the suite itself. The
 * room, scaling, fuzz and chaos suites run with these lifted; test/abuse attacks the limits
 * on server processes at their defaults.
 */
export const LIFTED_LIMITS = {
  HTTP_REQUESTS_PER_10S: "10000000",
  CREATES_PER_10S: "100000",
  JOINS_PER_10S: "100000",
  MAX_PENDING_RESERVATIONS_PER_IP: "100000",
  MAX_WAITING_ROOMS_PER_IP: "0",
  CONNECTIONS_PER_MINUTE_PER_IP: "0",
  MAX_CONNECTIONS_PER_IP: "0",
  MAX_SOCKETS_PER_IP: "0",
  MAX_SPECTATORS_PER_IP: "1000",
  LOBBY_MAX_PER_IP: "1000",
  MAX_FRAMES_PER_SECOND: "1000",
  FRAME_BURST: "2000",
  AUTH_REQUESTS_PER_MINUTE: "100000",
  GUEST_REQUESTS_PER_MINUTE: "100000",
} as const;
