// The email of the emulator's admin (the API token's owner), apart from the emulator so the manifest can name it
// without loading the emulator.
export const ZENDESK_EMULATOR_EMAIL = 'admin@patchbay-demo.example';
