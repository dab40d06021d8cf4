/**
 * What replaces a person's details once they are removed (by retention or an erasure): a neutral marker that says so,
 * and an address in the reserved `.invalid` domain (RFC 2606 §2), unique per row so unique indexes still hold and no
 * mail can ever reach it.
 */
export const REMOVED_NAME = 'Removed';

export function removedAddress(kind: 'attendee' | 'buyer' | 'email', id: number): string {
  return `removed-${kind}-${id}@removed.invalid`;
}
