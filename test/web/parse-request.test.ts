import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../../src/lib/errors';
import { parseRequest } from '../../src/web/validate';

const schemas = {
  params: z.object({ id: z.coerce.number().int().positive() }),
  query: z.object({ page: z.coerce.number().int().min(1).default(1) }),
  body: z.object({ name: z.string().min(1, 'Enter a name') }),
};

function caught(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('parseRequest: one way to read a request', () => {
  it('when every part parses, then the handler gets typed params, query and body', () => {
    const parsed = parseRequest({ params: { id: '7' }, query: { page: '2' }, body: { name: 'Ada' } }, schemas);
    expect(parsed).toEqual({ params: { id: 7 }, query: { page: 2 }, body: { name: 'Ada' } });
  });

  it('when a param names nothing, then it is 404 (or the route\'s own not-found), not a validation error', () => {
    expect(caught(() => parseRequest({ params: { id: 'abc' }, query: {}, body: {} }, schemas))).toBeInstanceOf(NotFoundError);
    const own = caught(() => parseRequest({ params: { id: '-1' }, query: {}, body: {} }, { ...schemas, notFound: () => new NotFoundError('booking_not_found', 'No such booking.') }));
    expect(own).toMatchObject({ status: 404, code: 'booking_not_found' });
  });

  it('when the query or body is wrong, then it is 422 with one detail per field path, the query prefixed', () => {
    const error = caught(() => parseRequest({ params: { id: '1' }, query: { page: '0' }, body: { name: 'x' } }, schemas)) as AppError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details).toEqual([{ path: 'query.page', message: expect.any(String) }]);
    const body = caught(() => parseRequest({ params: { id: '1' }, query: {}, body: { name: '' } }, schemas)) as AppError;
    expect(body.details).toEqual([{ path: 'name', message: 'Enter a name' }]);
  });
});
