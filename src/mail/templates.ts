import type { z } from 'zod';
import type { DeferredContent, EmailContent, SkippedEmail } from './outbox';

/** Renders one template's payload into a message, reading whatever else it shows as it is at that moment. */
export type EmailRenderer<Deps, Payload> = (deps: Deps, payload: Payload) => Promise<EmailContent | SkippedEmail>;

/** Records that the relay refused this email's recipient for good (an SMTP 5xx), e.g. against a subscriber. */
export type RefusalRecorder<Deps, Payload> = (deps: Deps, payload: Payload, reason: string) => Promise<void>;

/**
 * A kind of deferred email, exported by the feature that queues it. The schema checks the stored payload
 * before rendering: a row written by older code, or edited by hand, fails that email with the reason
 * instead of reaching the renderer half-formed.
 */
export interface EmailTemplate<Deps, Payload = unknown> {
  name: string;
  schema: z.ZodType<Payload>;
  // Method syntax on purpose: a template for one payload type is listed among templates of unknown payload.
  render(deps: Deps, payload: Payload): Promise<EmailContent | SkippedEmail>;
  refused?(deps: Deps, payload: Payload, reason: string): Promise<void>;
}

/** Ties a renderer to its payload schema, so the renderer's payload type is the schema's. */
export function defineTemplate<Deps, Payload>(template: { name: string; schema: z.ZodType<Payload>; render: EmailRenderer<Deps, Payload>; refused?: RefusalRecorder<Deps, Payload> }): EmailTemplate<Deps, Payload> {
  return { name: template.name, schema: template.schema, render: template.render, refused: template.refused };
}

/** Every template the sender knows, by name; built where the app is composed. */
export interface TemplateRegistry<Deps> {
  readonly names: readonly string[];
  /** Checks the payload against its template's schema and renders it; throws with the reason when it cannot. */
  render(deps: Deps, deferred: DeferredContent): Promise<EmailContent | SkippedEmail>;
  /** Passes a relay's permanent refusal to the template's recorder, if it has one and the payload still parses. */
  refused(deps: Deps, deferred: DeferredContent, reason: string): Promise<void>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(payload)'}: ${issue.message}`).join('; ');
}

export function createTemplateRegistry<Deps>(templates: ReadonlyArray<EmailTemplate<Deps>>): TemplateRegistry<Deps> {
  const byName = new Map<string, EmailTemplate<Deps>>();
  for (const template of templates) {
    if (byName.has(template.name)) throw new Error(`email template ${template.name} is registered twice`);
    byName.set(template.name, template);
  }
  return {
    names: [...byName.keys()],
    async render(deps, deferred) {
      const template = byName.get(deferred.template);
      if (!template) throw new Error(`unknown email template ${deferred.template}`);
      const parsed = template.schema.safeParse(deferred.payload);
      if (!parsed.success) throw new Error(`invalid payload for email template ${deferred.template}: ${describeIssues(parsed.error)}`);
      return template.render(deps, parsed.data);
    },
    async refused(deps, deferred, reason) {
      const template = byName.get(deferred.template);
      const parsed = template?.schema.safeParse(deferred.payload);
      if (template?.refused && parsed?.success) await template.refused(deps, parsed.data, reason);
    },
  };
}
