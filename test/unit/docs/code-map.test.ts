import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = 'shared';
const map = readFileSync(join(ROOT, 'README.md'), 'utf8');

/**
 * Every folder under shared/ that holds a file, as `adapters/aws/` (relative, with a trailing
 * slash): the folders git knows, not an empty one left behind in a checkout.
 */
function folders(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .flatMap((name) => {
      const inner = folders(join(dir, name), `${prefix}${name}/`);
      const files = readdirSync(join(dir, name)).some((f) => statSync(join(dir, name, f)).isFile());
      return files || inner.length > 0 ? [`${prefix}${name}/`, ...inner] : [];
    });
}

/** The folders the map names in its table's first column. */
function named(): string[] {
  return [...map.matchAll(/^\| `([a-z/-]+\/)` \|/gm)].map((m) => m[1] as string);
}

/** Every TypeScript file under a folder of shared/. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(ROOT, dir, f));
}

/** What each folder may import, as the map's picture draws it (its own folder and those below). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  config: ['domain'],
  domain: ['config'],
  ports: ['domain', 'config'],
  messages: ['ports', 'domain', 'config'],
  usecases: ['messages', 'ports', 'domain', 'config'],
  ops: ['usecases', 'messages', 'ports', 'domain', 'config'],
  preflight: ['adapters', 'ops', 'usecases', 'messages', 'ports', 'domain', 'config'],
  adapters: ['messages', 'ports', 'domain', 'config'],
  runtime: ['adapters', 'preflight', 'ops', 'usecases', 'messages', 'ports', 'domain', 'config'],
};

describe('shared/README.md', () => {
  it('names every folder of shared/', () => {
    expect(named().sort()).toEqual(folders(ROOT).sort());
  });

  it('names only folders that exist', () => {
    for (const folder of named()) expect(statSync(join(ROOT, folder)).isDirectory(), folder).toBe(true);
  });

  it.each(['domain', 'ports', 'messages', 'usecases', 'ops'])('keeps the AWS SDK out of %s/', (dir) => {
    for (const file of sources(dir)) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '@aws-sdk\//);
    }
  });

  it.each(Object.entries(MAY_IMPORT))('lets %s/ import only its own folder and %s', (dir, below) => {
    for (const file of sources(dir)) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)) {
        const folder = normalize(join(dirname(file), spec as string)).split('/')[1] as string;
        expect([dir, ...below], `${file} imports ${spec}`).toContain(folder);
      }
    }
  });
});
