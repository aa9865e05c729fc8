import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A Keysmith of a spec's own (the packaged jar on a fresh embedded PostgreSQL), for what the suite's server cannot
 * do: WebAuthn needs a relying-party id that is a host name, and the suite's server is addressed as 127.0.0.1.
 */
export class OwnServer {
  private process?: ChildProcess;
  private stderr = '';

  constructor(
    readonly port: number,
    private readonly managementPort: number,
    readonly publicUrl = `http://localhost:${port}`,
  ) {}

  async start(): Promise<void> {
    this.process = spawn('java', ['-jar', '../backend/target/keysmith.jar'], {
      env: {
        ...process.env,
        KEYSMITH_DATA_DIR: `../e2e/target/data-own-${this.port}-${Date.now()}`,
        KEYSMITH_HTTP_PORT: String(this.port),
        KEYSMITH_HTTP_HOST: '127.0.0.1',
        KEYSMITH_MANAGEMENT_PORT: String(this.managementPort),
        KEYSMITH_PUBLIC_URL: this.publicUrl,
        KEYSMITH_PASSWORD_HASHING_ADDRESS_BURST: '1000',
        KEYSMITH_SIGNUP_THROTTLE_ADDRESS: '1000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.process.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) {
        throw new Error(`Keysmith exited with ${this.process.exitCode}: ${this.stderr}`);
      }
      try {
        const r = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        if (r.ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`Keysmith was not ready within 180 s: ${this.stderr}`);
  }

  /** A graceful stop, so the server stops its embedded PostgreSQL. */
  async stop(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    if (p.exitCode === null) {
      p.kill('SIGKILL');
    }
  }
}
