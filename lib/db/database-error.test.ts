import postgres from 'postgres';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { PatchbayError } from '@/engine';
import { clientMessage, DATABASE_ERROR_MESSAGE, isDatabaseError } from './database-error';

const sql = postgres(process.env.PATCHBAY_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
afterAll(async () => { await sql.end({ timeout: 2 }); });

describe('database error text', () => {
  it('a real PostgreSQL refusal is recognised, logged and replaced; other errors keep their words', async () => {
    const err = await sql`select ${'a\u0000b'}::text as t`.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/0x00|null character|invalid byte sequence/i);
    expect(isDatabaseError(err)).toBe(true);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(clientMessage(err, 'test')).toBe(DATABASE_ERROR_MESSAGE);
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
    expect(isDatabaseError(new PatchbayError('network_error', 'HubSpot could not be reached'))).toBe(false);
    expect(clientMessage(new PatchbayError('network_error', 'HubSpot could not be reached'))).toBe('HubSpot could not be reached');
  });
});
