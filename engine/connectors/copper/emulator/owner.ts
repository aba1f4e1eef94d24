// The emulator's API-key owner: Copper checks X-PW-UserEmail against the key's user (the manifest's benchmark
// credentials need it without loading the emulator).
export const COPPER_EMULATOR_EMAIL = 'owner@patchbay-demo.example';
