/**
 * The operator dashboard at /monitor (placeholder: the read-only version is being written).
 */
import { basicAuth } from "@colyseus/core";
import { monitor } from "@colyseus/monitor";
import express, { type Router } from "express";
import type { Logger } from "../logger.js";

export interface MonitorSettings {
  /** Password of user `admin`; without one the monitor answers 404. */
  password?: string;
  logger: Logger;
  /** Proxies in front of this process (see src/net/address.ts). */
  trustedHops: number;
}

export function monitorHandler(settings: MonitorSettings): Router {
  const router = express.Router();
  if (!settings.password) {
    router.use((_req, res) => {
      res.status(404).type("text").send("The monitor is off: set MONITOR_PASSWORD to turn it on.");
    });
    return router;
  }
  router.use(monitor({ use: [basicAuth({ users: { admin: settings.password } })] }) as any);
  return router;
}
