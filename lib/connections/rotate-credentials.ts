// Key rotation of the stored credentials (`npx patchbay rotate-key`): every connections.credentials_enc not yet
// under the current key is decrypted (under the previous key, or an old v1 payload under either) and encrypted again
// under the current key, one row at a time, each row one UPDATE that only applies when the row still holds what was
// read (a token refresh that wrote in between wins and is read again). Nothing is ever written in clear; a crash
// leaves every row under one of the two keys, and a re-run skips rows already under the current key.
import type postgres from 'postgres';
import { decryptJson, encryptJson, keyId, payloadKeyId, type EncryptionKeys } from '../crypto/credentials';

export interface RotationProgress {
  /** Rows not under the current key when the rotation started. */
  total: number;
  /** Rows re-encrypted so far. */
  rotated: number;
  /** Rows that neither key opens (left as they are). */
  unreadable: string[];
}

export interface RotationResult extends RotationProgress {
  /** Rows not under the current key after the pass (unreadable ones, and any written meanwhile by a process that
   * does not have the current key yet): the rotation is finished only when this is 0. */
  remaining: number;
}

const BATCH = 200;

/** Rows whose ciphertext is not under `key` (v1 payloads carry no key id: they always count). */
export async function countNotUnder(sql: postgres.Sql, key: Buffer): Promise<number> {
  const [r] = await sql<{ n: number }[]>`select count(*)::int as n from connections where credentials_enc not like ${`v2.${keyId(key)}.%`}`;
  return r.n;
}

export async function rotateCredentials(
  sql: postgres.Sql,
  keys: EncryptionKeys,
  onRow: (p: RotationProgress) => void | Promise<void> = () => {},
): Promise<RotationResult> {
  const target = keys.current();
  const targetId = keyId(target);
  const p: RotationProgress = { total: await countNotUnder(sql, target), rotated: 0, unreadable: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await sql<{ id: string; credentials_enc: string }[]>`
      select id, credentials_enc from connections
      where id > ${after} and credentials_enc not like ${`v2.${targetId}.%`}
      order by id limit ${BATCH}`;
    if (!rows.length) break;
    for (const row of rows) {
      let enc: string | undefined = row.credentials_enc;
      // A concurrent write (token refresh, reconnect) changed the row: read it again and decide anew.
      for (let attempt = 0; enc !== undefined && payloadKeyId(enc) !== targetId && attempt < 5; attempt++) {
        let plain: Record<string, unknown>;
        try { plain = decryptJson(keys, enc); } catch { p.unreadable.push(row.id); break; }
        const updated = await sql`update connections set credentials_enc = ${encryptJson(target, plain)} where id = ${row.id} and credentials_enc = ${enc}`;
        if (updated.count === 1) { p.rotated++; await onRow(p); break; }
        [{ credentials_enc: enc } = { credentials_enc: undefined }] = await sql<{ credentials_enc: string }[]>`select credentials_enc from connections where id = ${row.id}`;
      }
    }
    after = rows[rows.length - 1].id;
  }
  return { ...p, remaining: await countNotUnder(sql, target) };
}
