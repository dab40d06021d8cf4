import { z } from 'zod';

/** Parses "--email E --name N" style flags and positional arguments. */
export function parseFlags(args: string[]): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2);
      if (inline !== undefined) flags[key] = inline;
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags[key] = args[++i];
      else flags[key] = 'true';
    } else positional.push(arg);
  }
  return { flags, positional };
}

/** Validates flags with zod; returns the problems as lines naming each flag. */
export function validateFlags<S extends z.ZodType>(schema: S, flags: Record<string, string>): { data?: z.infer<S>; problems: string[] } {
  const parsed = schema.safeParse(flags);
  if (parsed.success) return { data: parsed.data, problems: [] };
  return { problems: parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`) };
}
