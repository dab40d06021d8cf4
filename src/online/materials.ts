import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Tx } from '../db/connect';
import { fromDbTime, toDbTime } from '../lib/time';

/**
 * What organisers share after an event: slides (an uploaded file or a link) and a recording (a link), each visible to
 * the public (past event pages), to registrants (everyone who held a confirmed place) or to attendees only (those who
 * came in person or opened their joining link).
 */
export const MATERIAL_KINDS = ['slides', 'recording'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];
export const VISIBILITIES = ['public', 'registrants', 'attendees'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const VISIBILITY_LABELS: Record<Visibility, string> = { public: 'Everyone (the public event page)', registrants: 'Everyone who registered', attendees: 'Only those who attended' };

export interface Material {
  id: number;
  eventId: number;
  kind: MaterialKind;
  title: string;
  /** A link (a recording, slides elsewhere); null for an uploaded file. */
  url: string | null;
  fileName: string | null;
  contentType: string | null;
  size: number | null;
  visibility: Visibility;
  createdAt: Date;
}

/** Uploads: PDF, PowerPoint (PPTX) and OpenDocument presentations (ODP), 25 MB at most. */
export const MATERIAL_MAX_BYTES = 25 * 1024 * 1024;
const FILE_TYPES: Record<string, { contentType: string; magic: Buffer }> = {
  pdf: { contentType: 'application/pdf', magic: Buffer.from('%PDF-') },
  pptx: { contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', magic: Buffer.from([0x50, 0x4b, 0x03, 0x04]) },
  odp: { contentType: 'application/vnd.oasis.opendocument.presentation', magic: Buffer.from([0x50, 0x4b, 0x03, 0x04]) },
};

/** The stored type of an upload, by its name's extension and its first bytes (both must agree); null when refused. */
export function uploadType(fileName: string, data: Buffer): string | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const type = FILE_TYPES[ext];
  if (!type || data.length < type.magic.length || !data.subarray(0, type.magic.length).equals(type.magic)) return null;
  return type.contentType;
}

const COLUMNS = ['id', 'event_id', 'kind', 'title', 'url', 'file_name', 'content_type', 'size', 'visibility', 'created_at'];

function toMaterial(row: Record<string, unknown>): Material {
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    kind: row.kind as MaterialKind,
    title: String(row.title),
    url: (row.url as string | null) ?? null,
    fileName: (row.file_name as string | null) ?? null,
    contentType: (row.content_type as string | null) ?? null,
    size: row.size === null || row.size === undefined ? null : Number(row.size),
    visibility: row.visibility as Visibility,
    createdAt: fromDbTime(row.created_at),
  };
}

export async function listMaterials(db: Tx, eventId: number): Promise<Material[]> {
  return (await db('event_materials').select(COLUMNS).where({ event_id: eventId }).orderBy('id')).map(toMaterial);
}

export async function findMaterial(db: Tx, id: number): Promise<Material | undefined> {
  const row = await db('event_materials').select(COLUMNS).where({ id }).first();
  return row ? toMaterial(row) : undefined;
}

export async function readMaterialData(db: Tx, id: number): Promise<Buffer | null> {
  const row = await db('event_materials').select('data').where({ id }).first();
  return row?.data ? Buffer.from(row.data as Uint8Array) : null;
}

export interface NewMaterial {
  kind: MaterialKind;
  title: string;
  visibility: Visibility;
  url?: string;
  file?: { name: string; contentType: string; data: Buffer };
}

export async function insertMaterial(db: Knex | Knex.Transaction, eventId: number, input: NewMaterial, now: Date): Promise<number> {
  const [row] = await db('event_materials')
    .insert({
      event_id: eventId,
      kind: input.kind,
      title: input.title,
      visibility: input.visibility,
      url: input.url ?? null,
      data: input.file?.data ?? null,
      file_name: input.file?.name ?? null,
      content_type: input.file?.contentType ?? null,
      size: input.file?.data.length ?? null,
      created_at: toDbTime(now),
    })
    .returning('id');
  await showInCatalogue(db, eventId);
  return Number(typeof row === 'object' ? row.id : row);
}

export async function deleteMaterial(db: Tx, eventId: number, id: number): Promise<boolean> {
  const gone = (await db('event_materials').where({ event_id: eventId, id }).del()) === 1;
  if (gone) await showInCatalogue(db, eventId);
  return gone;
}

/** The public event page lists the public materials: bump the event's catalogue version so every instance's copy is rebuilt. */
async function showInCatalogue(db: Tx, eventId: number): Promise<void> {
  await db('events').where({ id: eventId }).update({ catalogue_version: db.raw('catalogue_version + 1') });
}

/** Which materials a person may see: everyone the public ones; a registrant those for registrants; an attendee all. */
export function visibleTo(materials: Material[], who: 'public' | 'registrant' | 'attendee'): Material[] {
  const allowed: Visibility[] = who === 'attendee' ? ['public', 'registrants', 'attendees'] : who === 'registrant' ? ['public', 'registrants'] : ['public'];
  return materials.filter((m) => allowed.includes(m.visibility));
}

/**
 * A person's own link to one material: an HMAC of the material and the seat under the server secret, so nothing is
 * stored and it cannot be guessed; whether the seat may see it is checked again each time it is opened.
 */
export function materialToken(config: Config, materialId: number, attendeeId: number): string {
  return createHmac('sha256', config.sessionSecret).update(`material:${materialId}:${attendeeId}`).digest('base64url');
}

/** The address a material is opened at: the public one, or a registrant's or attendee's own. */
export function materialUrl(config: Config, material: Material, slug: string, attendeeId?: number): string {
  if (material.visibility === 'public' || attendeeId === undefined) return `${config.publicUrl}/events/${slug}/materials/${material.id}`;
  return `${config.publicUrl}/materials/${material.id}/${attendeeId}/${materialToken(config, material.id, attendeeId)}`;
}

/** A material as a link for a page or an email. */
export function materialLink(config: Config, material: Material, slug: string, attendeeId?: number) {
  const what = material.kind === 'recording' ? 'Recording' : 'Slides';
  const size = material.size ? ` (${material.fileName?.split('.').pop()?.toUpperCase() ?? 'file'}, ${Math.max(1, Math.round(material.size / 1024 / 1024))} MB)` : '';
  return { title: material.title, label: `${what}: ${material.title}${size}`, url: materialUrl(config, material, slug, attendeeId), isFile: material.url === null };
}
