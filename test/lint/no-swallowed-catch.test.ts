import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import rule from '../../eslint-rules/no-swallowed-catch';

// RuleTester makes one jest test per case, with the code as its name.
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

tester.run('no-swallowed-catch', rule, {
  valid: [
    // Rethrows, as it is or translated.
    'try { f(); } catch (e) { throw e; }',
    'try { f(); } catch (error) { if (!(error instanceof ValidationError)) throw error; show(fieldErrors(error)); }',
    "try { f(); } catch { throw new ConflictError('slug_taken', 'That address is taken'); }",
    // Logs through the logger, on the context or alone.
    "try { await f(); } catch (error) { ctx.logger.error('refund failed', { booking: ref, ...errorFields(error) }); }",
    "try { f(); } catch (error) { logger.warn('could not expire', { session }); }",
    "try { f(); } catch (error) { deps.logger?.error('x', { error }); }",
    // Records, or marks, in a row.
    'try { await send(email); } catch (error) { await recordFailure(trx, email.id, error); }',
    'try { await send(email); } catch { await markFailed(db, email.id); }',
    'try { f(); } catch (error) { logFailure(error); }',
    // Hands the error on to the caller.
    'function g() { try { return f(); } catch (e) { return { ok: false, error: e }; } }',
    'try { f(); } catch (e) { lastError = e; }',
    'try { f(); } catch (e) { failures.push(e instanceof Error ? e.message : String(e)); }',
    'app.use((req, res, next) => { try { f(); } catch (e) { next(e); } });',
    'new Promise((resolve, reject) => { try { resolve(f()); } catch (e) { reject(e); } });',
    // Ends the process with a failure: an entry point's last resort.
    'main().catch((error) => { console.error(error); process.exit(1); });',
    // Promise handlers, inline or by name.
    "p.catch((error) => logger.error('job failed', errorFields(error)));",
    'p.catch((error) => error);',
    'p.catch((error) => { throw new Wrapped(error); });',
    'p.catch(next);',
    'p.catch(ctx.logger.warn);',
    'p.catch(recordSyncFailure);',
    'function translateSlugClash(error: unknown): never { if (isUnique(error)) throw new ValidationError([]); throw error; }\np.catch(translateSlugClash);',
    'const rethrow = (error: unknown) => { throw error; };\np.catch(rethrow);',
    // Not promise handlers: no handler at all (the rejection passes through), and zod's fallback value.
    'p.catch();',
    "z.string().catch('/admin');",
  ],
  invalid: [
    { code: 'try { f(); } catch {}', errors: [{ messageId: 'swallowed' }] },
    { code: 'try { f(); } catch (e) { /* nothing to do */ }', errors: [{ messageId: 'swallowed' }] },
    { code: 'function g() { try { return f(); } catch { return null; } }', errors: [{ messageId: 'swallowed' }] },
    // console is not the logger: no level, no context, not captured by tests.
    'try { f(); } catch (e) { console.error(e); }',
    // A name that merely begins with "log" is not a log call.
    'try { f(); } catch (e) { login(user); }',
    // Using the error is not handing it on: here it is only read for a message.
    "try { f(); } catch (e) { res.status(500).send('failed: ' + String(e)); }",
    // A return inside a callback the handler defines returns to that callback, not to the caller.
    'try { f(); } catch (e) { items.forEach(() => { return e; }); }',
  ]
    .map((code) => (typeof code === 'string' ? { code, errors: [{ messageId: 'swallowed' as const }] } : code))
    .concat([
      { code: 'p.catch(() => undefined);', errors: [{ messageId: 'swallowedPromise' }] },
      { code: 'p.catch(() => {});', errors: [{ messageId: 'swallowedPromise' }] },
      { code: 'p.catch((e) => { console.log(e); });', errors: [{ messageId: 'swallowedPromise' }] },
      { code: 'p?.catch(() => null);', errors: [{ messageId: 'swallowedPromise' }] },
      { code: 'main().catch(() => process.exit(0));', errors: [{ messageId: 'swallowedPromise' }] },
      { code: 'function ignore() {}\np.catch(ignore);', errors: [{ messageId: 'swallowedPromise' }] },
      { code: "import { noop } from './util';\np.catch(noop);", errors: [{ messageId: 'unknownHandler' }] },
      { code: 'p.catch(console.error);', errors: [{ messageId: 'unknownHandler' }] },
    ]),
});
