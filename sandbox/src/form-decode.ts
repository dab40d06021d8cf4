import { invalidParam } from './errors';

/** A decoded form value: Stripe's bracket notation nests objects and arrays. */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const MAX_PAIRS = 2000;
const MAX_DEPTH = 8;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Decodes `a[b][0][c]=v&expand[]=x` the way Stripe's API reads it. The SDK sends
 * arrays as `expand[0]`, curl users as `expand[]`; both become arrays.
 */
export function decodeForm(text: string): FormObject {
  const root: FormObject = {};
  if (!text) return root;
  const pairs = text.split('&').filter(Boolean);
  if (pairs.length > MAX_PAIRS) throw invalidParam('Too many parameters in the request.');
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    assign(root, splitKey(decodeComponent(rawKey)), decodeComponent(rawValue));
  }
  return arrayify(root) as FormObject;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw invalidParam('The request body or query string is not valid URL encoding.');
  }
}

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  for (const match of key.slice(open).matchAll(re)) segments.push(match[1]);
  if (segments.length > MAX_DEPTH) throw invalidParam(`Parameter ${key} is nested too deeply.`, key);
  return segments;
}

function assign(target: FormObject, segments: string[], value: string): void {
  let node = target;
  segments.forEach((segment, i) => {
    if (FORBIDDEN_KEYS.has(segment)) throw invalidParam(`Invalid parameter name: ${segment}`, segment);
    const isLast = i === segments.length - 1;
    // `[]` appends: give it the next free index so arrayify sees a dense list.
    const key = segment === '' ? String(Object.keys(node).length) : segment;
    if (isLast) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next === 'object' && !Array.isArray(next)) {
      node = next;
    } else {
      const created: FormObject = {};
      node[key] = created;
      node = created;
    }
  });
}

/** Objects whose keys are exactly 0..n-1 become arrays (the SDK's `line_items[0]`). */
function arrayify(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = arrayify(value[key]);
  const isList = keys.length > 0 && keys.every((key) => /^\d+$/.test(key) && Number(key) < keys.length);
  if (!isList) return value;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
}
