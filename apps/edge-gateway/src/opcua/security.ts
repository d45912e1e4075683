// The security side of an OPC UA endpoint: message security, the user identity and what to tell the operator
// when the server's certificate is not trusted yet.
import { X509Certificate, createPrivateKey, type KeyObject } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { MessageSecurityMode, SecurityPolicy, UserTokenType, type UserIdentityInfo } from 'node-opcua';
import type { OpcUaEndpointConfig, OpcUaSecurityMode, OpcUaSecurityPolicy, OpcUaUserIdentity } from '../config/types';

/** A problem with the configuration that no retry can fix (a missing or unreadable file). */
export class OpcUaConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpcUaConfigError';
  }
}

export function messageSecurityMode(mode: OpcUaSecurityMode): MessageSecurityMode {
  switch (mode) {
    case 'None':
      return MessageSecurityMode.None;
    case 'Sign':
      return MessageSecurityMode.Sign;
    case 'SignAndEncrypt':
      return MessageSecurityMode.SignAndEncrypt;
  }
}

export function securityPolicy(policy: OpcUaSecurityPolicy): SecurityPolicy {
  switch (policy) {
    case 'None':
      return SecurityPolicy.None;
    case 'Basic256Sha256':
      return SecurityPolicy.Basic256Sha256;
    case 'Aes128_Sha256_RsaOaep':
      return SecurityPolicy.Aes128_Sha256_RsaOaep;
    case 'Aes256_Sha256_RsaPss':
      return SecurityPolicy.Aes256_Sha256_RsaPss;
  }
}

/** Where the client's certificate manager keeps trusted and rejected server certificates (node-opcua's layout). */
export function pkiFolders(pkiDir: string): { trusted: string; rejected: string; own: string } {
  return { trusted: join(pkiDir, 'trusted', 'certs'), rejected: join(pkiDir, 'rejected'), own: join(pkiDir, 'own', 'certs') };
}

/**
 * The user identity for ActivateSession. Certificate files are read here, once, so that start() fails at once for
 * a file that is missing, unreadable, or a key that does not belong to the certificate.
 */
export function userIdentity(user: OpcUaUserIdentity): UserIdentityInfo {
  switch (user.type) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous };
    case 'username':
      return { type: UserTokenType.UserName, userName: user.username, password: user.password };
    case 'certificate': {
      const certificate = readCertificate(user.certificateFile);
      const key = readPrivateKey(user.privateKeyFile);
      if (!certificate.checkPrivateKey(key)) {
        throw new OpcUaConfigError(`the private key ${user.privateKeyFile} does not belong to the user certificate ${user.certificateFile}`);
      }
      const privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
      return { type: UserTokenType.Certificate, certificateData: certificate.raw, privateKey };
    }
  }
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new OpcUaConfigError(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

/** PEM or DER. */
function readCertificate(file: string): X509Certificate {
  const data = readFile(file, 'user certificate');
  try {
    return new X509Certificate(data);
  } catch (error) {
    throw new OpcUaConfigError(`the user certificate ${file} is not an X.509 certificate in PEM or DER: ${(error as Error).message}`);
  }
}

/** PEM (PKCS#1 or PKCS#8), or DER in PKCS#8 or PKCS#1. */
function readPrivateKey(file: string): KeyObject {
  const data = readFile(file, 'user private key');
  const attempts: (() => KeyObject)[] = [
    () => createPrivateKey(data),
    () => createPrivateKey({ key: data, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: data, format: 'der', type: 'pkcs1' }),
  ];
  let first: Error | null = null;
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (error) {
      first ??= error as Error;
    }
  }
  throw new OpcUaConfigError(`the user private key ${file} is not an unencrypted private key in PEM or DER: ${first?.message ?? 'unknown format'}`);
}

/** The operator's next step when the server's certificate is not trusted: which file to move where. */
export function untrustedServerHint(endpoint: Pick<OpcUaEndpointConfig, 'url' | 'pkiDir'>): string {
  const folders = pkiFolders(endpoint.pkiDir);
  return (
    `the certificate of the OPC UA server ${endpoint.url} is not trusted: the gateway put it in ${folders.rejected}; ` +
    `to trust it, move it (after checking its thumbprint with the server's administrator) to ${folders.trusted}, ` +
    `or set trustUnknownServerCertificate: true for this endpoint`
  );
}
