export default function Home() {
  return (
    <main style={{ maxWidth: 720, margin: '64px auto', padding: 24 }}>
      <h1>Patchbay</h1>
      <p>Visual automation builder for cloud-telephony integrations.</p>
      <p><a href="/login">Sign in</a></p>
    </main>
  );
}
