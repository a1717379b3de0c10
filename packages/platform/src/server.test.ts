import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./test-fixtures/graceful-server.ts', import.meta.url));

describe('listenAndServe', () => {
  it('on SIGTERM finishes the request in flight, runs onClose and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let out = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (out.includes(text) ? resolve() : undefined);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          check();
        });
        void exited.then(() => reject(new Error(`exited before "${text}"; stdout: ${out}`)));
        check();
      });
    try {
      await waitFor('listening ');
      const port = Number(/listening (\d+)/.exec(out)![1]);
      const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
      await waitFor('slow-started');
      child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ done: true });
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(out).toContain('on-close');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('importing the kit installs no signal handlers (they would pre-empt the graceful shutdown)', async () => {
    const code = `
      const before = ['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => process.listenerCount(s));
      await import(${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))});
      await import(${JSON.stringify(fileURLToPath(new URL('./testing/index.ts', import.meta.url)))});
      const after = ['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => process.listenerCount(s));
      process.stdout.write(JSON.stringify({ before, after }));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    const { before, after } = JSON.parse(out) as { before: number[]; after: number[] };
    expect(after).toEqual(before);
  });
});
