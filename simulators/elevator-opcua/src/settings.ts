// Defaults shared by the server and the CLI that must not pull in node-opcua (the CLI answers
// --help and option errors without loading it).
import { tmpdir } from 'os';
import { join } from 'path';

/** Demo credentials, for local demos only: override them with options or the environment. */
export const DEMO_USER = 'pss';
export const DEMO_PASSWORD = 'pss-demo';
export const ENV_USER = 'SIM_ELEVATOR_USER';
export const ENV_PASSWORD = 'SIM_ELEVATOR_PASSWORD';
export const ENV_PKI_DIR = 'SIM_ELEVATOR_PKI_DIR';

export interface Credentials {
  user: string;
  password: string;
}

/**
 * The one user/password login. null: none (anonymous only). Otherwise each part comes from the
 * option, else the environment, else the demo default.
 */
export function resolveCredentials(option: Partial<Credentials> | null | undefined, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  if (option === null) return null;
  return { user: option?.user ?? (env[ENV_USER] || DEMO_USER), password: option?.password ?? (env[ENV_PASSWORD] || DEMO_PASSWORD) };
}

/** Whether the password in force is the published demo one (worth a warning). */
export function isDemoPassword(credentials: Credentials | null): boolean {
  return credentials !== null && credentials.password === DEMO_PASSWORD;
}

/** node-opcua's certificate store: under the OS temp dir unless configured, never in the repository. */
export function defaultPkiDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV_PKI_DIR] || join(tmpdir(), 'pss-sim-elevator-pki');
}
