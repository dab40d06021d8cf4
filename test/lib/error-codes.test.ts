import fs from 'node:fs';
import path from 'node:path';
import { END, START, errorCodesTable } from '../../scripts/error-codes';
import { ERROR_CODES, NotFoundError, ValidationError } from '../../src/lib/errors';

describe('the error catalogue', () => {
  it('when the README is read, then its table of API error codes is exactly the catalogue', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END)).trim();
    expect(section).toBe(errorCodesTable());
    expect(section).toContain('| `booking_not_found` | 404 |');
  });

  it('when an error is made, then its status comes from the catalogue and every code is snake_case', () => {
    expect(new NotFoundError('booking_not_found', 'No such booking.')).toMatchObject({ status: 404, code: 'booking_not_found' });
    expect(new ValidationError([{ path: 'email', message: 'Enter an email' }])).toMatchObject({ status: 422, code: 'validation_failed' });
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
