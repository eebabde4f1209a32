// --ca-file: a private CA or a self-signed certificate, trusted on top of the system's roots.
// Node's `ca` option replaces the roots rather than adding to them, so they are put back: the same
// file then serves a CalDAV server with a private CA and a public OAuth issuer alike.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { UsageError } from '../errors.js';

/** The PEM certificates to trust: the system's roots and those in `path`. */
export async function trustedCas(path: string): Promise<string[]> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --ca-file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`, 'Give the path of a PEM certificate file.');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file ${path} holds no PEM certificate`);
  return [...rootCertificates, pem];
}
