import { EnvError } from '../domain/errors';

/**
 * Reads a required environment variable.
 * @throws EnvError naming the variable and what it is for.
 */
export function requireEnv(name: string, hint: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new EnvError(name, hint);
  return value;
}

/** Reads an optional environment variable with a default. */
export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}
