// Zoho's official Node SDK ships JavaScript without type declarations; the SDK test uses it untyped.
declare module '@zohocrm/nodejs-sdk-8.0';
