import { afterAll } from 'vitest';
import { closeDbHelper } from './helpers';

afterAll(async () => { await closeDbHelper(); });
