import { existsSync } from 'node:fs';

/**
 * Reads the settings file (`.env` in the working folder, or ENV_FILE) into process.env before the
 * config is parsed, so `npm start` needs no shell step. Node's own parser does it
 * (process.loadEnvFile, Node 20.12+): quotes, `#` comments and values with spaces are read as written,
 * and a variable already set in the environment wins over the file. A missing file is not an error:
 * the environment alone may hold everything (containers, CI).
 */
export function loadEnvFile(): string | null {
  const explicit = process.env.ENV_FILE?.trim();
  const path = explicit || '.env';
  if (!existsSync(path)) {
    if (explicit) throw new Error(`ENV_FILE: ${path} does not exist`);
    return null;
  }
  if (typeof process.loadEnvFile !== 'function')
    throw new Error(`reading ${path} needs Node 20.12 or later (this is ${process.version}); upgrade Node or export its variables yourself`);
  process.loadEnvFile(path);
  return path;
}
