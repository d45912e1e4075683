/** The gateway's software version, reported in its birth status and /health. Bump with the root package.json. */
export const GATEWAY_VERSION = '0.1.0';
