import type { Response } from 'express';
import { toXml } from './open311.xml';

export type Open311Format = 'json' | 'xml';

/** The format a path asks for by its extension (`services.xml`, `requests/{id}.json`), or null. */
export function formatOfPath(path: string): Open311Format | null {
  const ext = /\.(json|xml)$/i.exec(path)?.[1]?.toLowerCase();
  return ext === 'json' || ext === 'xml' ? ext : null;
}

/** Sends a document as JSON or as XML under `root`. */
export function sendOpen311(res: Response, format: Open311Format, status: number, root: string, body: unknown): void {
  res.status(status);
  if (format === 'xml') res.type('application/xml; charset=utf-8').send(toXml(root, body));
  else res.type('application/json; charset=utf-8').send(JSON.stringify(body));
}
