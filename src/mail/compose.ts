import type { Config } from '../config';
import type { Views } from '../web/views';

export interface EmailComposer {
  /** Renders views/emails/<name>.text.hbs and .html.hbs with the same model. */
  render(name: string, model: object): { text: string; html: string };
}

export function createEmailComposer(views: Views, config: Config): EmailComposer {
  return {
    render(name, model) {
      const full = { orgName: config.orgName, publicUrl: config.publicUrl, ...model };
      return {
        text: views.render(`emails/${name}.text`, full, null),
        html: views.render(`emails/${name}.html`, full, 'email'),
      };
    },
  };
}
