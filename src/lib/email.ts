/** The form of an email address used to compare and look it up: trimmed and lower-cased (the whole address, as members' lists are). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
