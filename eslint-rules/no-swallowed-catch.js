'use strict';

/**
 * no-swallowed-catch: a caught error must be rethrown, recorded, logged or handed back, never dropped.
 *
 * A handler is a `catch (e) { … }` block, or the first argument of a promise's `.catch(handler)`.
 * It passes when, anywhere inside it (callbacks it defines included), it does at least one of:
 *
 * 1. rethrows: a `throw` statement (the caught error, or a translated one such as a ValidationError);
 * 2. logs: calls a logger method, `logger.x(…)` or `something.logger.x(…)` (ctx.logger.error, …);
 *    `console.*` does not count: it has no level or context, and tests cannot capture it;
 * 3. records: calls a function whose name starts with `record`, `mark` or `log` as a whole word
 *    (`recordFailure(…)`, `markFailed(…)`, `logError(…)`; `login(…)` does not count);
 * 4. ends the process with a failure: `process.exit(code)` with a code other than a literal 0 (the
 *    last resort of an entry point: `main().catch((e) => { console.error(e); process.exit(1); })`);
 * 5. hands the error on: the caught error (its binding, or an expression using it) is returned,
 *    assigned (`lastError = e`), pushed onto a list (`failures.push(e.message)`), is the value of an
 *    arrow `.catch((e) => …)`, or is passed to `reject`, `next` or `callback`, so that the caller
 *    decides what to do with it.
 *
 * A `.catch(name)` given a function by name passes when the name is a logger method (`logger.warn`),
 * starts with record/mark/log, is reject/next/callback, or is a function declared in the same file
 * whose body passes the rules above (`.catch(translateSlugClash)`). Any other name is reported: the
 * rule cannot see inside it. A `.catch(value)` that is not given a function (zod's `.catch(fallback)`)
 * is not a promise handler and is ignored.
 *
 * Empty handlers, `catch { return null }` and `.catch(() => undefined)` fail.
 *
 * The check is deliberately simple: it asks whether the handler does one of these things at all, not
 * whether every branch does. Where dropping an error really is the intent (a probe whose failure is
 * the answer), say why in an `// eslint-disable-next-line hsug/no-swallowed-catch -- reason` comment.
 * `promise.then(onFulfilled, onRejected)` is not checked.
 */

const RECORD_NAME = /^(record|mark|log)([A-Z0-9_]|$)/;
const FORWARD_NAMES = new Set(['reject', 'next', 'callback']);
const STORE_NAMES = new Set(['push']);

function isFunction(node) {
  return node && (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' || node.type === 'FunctionDeclaration');
}

function unwrapChain(node) {
  return node && node.type === 'ChainExpression' ? node.expression : node;
}

/** The name a call is made through: `f` in `f()`, `g` in `a.b.g()`. */
function calleeName(callee) {
  const node = unwrapChain(callee);
  if (!node) return undefined;
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') return node.property.name;
  return undefined;
}

/** `logger.x`, or `anything.logger.x`. */
function isLoggerMethod(callee) {
  const node = unwrapChain(callee);
  if (!node || node.type !== 'MemberExpression') return false;
  const owner = unwrapChain(node.object);
  if (owner.type === 'Identifier') return owner.name === 'logger';
  return owner.type === 'MemberExpression' && !owner.computed && owner.property.type === 'Identifier' && owner.property.name === 'logger';
}

function isRecordOrLogName(name) {
  return typeof name === 'string' && RECORD_NAME.test(name);
}

/** A call through `record…`, `mark…` or `log…`, but not `console.log`: console is not the logger. */
function isRecordOrLogCall(callee) {
  const node = unwrapChain(callee);
  if (node && node.type === 'MemberExpression' && node.object.type === 'Identifier' && node.object.name === 'console') return false;
  return isRecordOrLogName(calleeName(node));
}

/** Visits every node under `root` (depth first), stopping early when `visit` returns true. */
function someNode(root, visitorKeys, visit) {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (visit(node)) return true;
    for (const key of visitorKeys[node.type] || []) {
      const child = node[key];
      if (Array.isArray(child)) {
        for (const item of child) if (item && typeof item.type === 'string') stack.push(item);
      } else if (child && typeof child.type === 'string') {
        stack.push(child);
      }
    }
  }
  return false;
}

/** `process.exit(code)`, unless the code is a literal 0. */
function isFailureExit(call) {
  const callee = unwrapChain(call.callee);
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.name !== 'exit') return false;
  if (callee.object.type !== 'Identifier' || callee.object.name !== 'process') return false;
  const code = call.arguments[0];
  return code !== undefined && !(code.type === 'Literal' && code.value === 0);
}

/** Rethrows, logs, records or exits with a failure somewhere inside `body`. */
function throwsLogsOrRecords(body, visitorKeys) {
  return someNode(body, visitorKeys, (node) => {
    if (node.type === 'ThrowStatement') return true;
    if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      return isLoggerMethod(node.callee) || isRecordOrLogCall(node.callee) || (node.type === 'CallExpression' && isFailureExit(node));
    }
    return false;
  });
}

/** Whether a function other than the handler lies between `node` and the handler. */
function insideNestedFunction(node, handler) {
  for (let up = node.parent; up && up !== handler; up = up.parent) if (isFunction(up)) return true;
  return false;
}

/**
 * The caught error reaches the caller: a reference to it sits inside a `return` (of the handler's own
 * function), the right side of an assignment, a `list.push(…)`, the value of the handler arrow itself, or
 * the arguments of reject/next/callback.
 */
function handsErrorOn(variables, handler) {
  for (const variable of variables) {
    for (const reference of variable.references) {
      let child = reference.identifier;
      let parent = child.parent;
      while (parent && child !== handler) {
        // A return inside a callback that the handler defines returns to that callback, not to the caller.
        if (parent.type === 'ReturnStatement') {
          if (!insideNestedFunction(parent, handler)) return true;
          break;
        }
        if (parent.type === 'AssignmentExpression' && parent.right === child) return true;
        if (parent.type === 'CallExpression' && parent.arguments.includes(child)) {
          const name = calleeName(parent.callee);
          if (FORWARD_NAMES.has(name) || (STORE_NAMES.has(name) && unwrapChain(parent.callee).type === 'MemberExpression')) return true;
        }
        if (parent === handler && parent.type === 'ArrowFunctionExpression' && parent.expression && parent.body === child) return true;
        if (isFunction(parent) && parent !== handler) break;
        child = parent;
        parent = parent.parent;
      }
    }
  }
  return false;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A caught error must be rethrown, recorded, logged with context, or handed back to the caller; never dropped.',
    },
    schema: [],
    messages: {
      swallowed:
        'This catch drops the error. Rethrow it, log it with context (logger.error / ctx.logger.*), record it (record…/mark…/log… call), or return it to the caller.',
      swallowedPromise:
        'This .catch() drops the error. Rethrow it, log it with context (logger.error / ctx.logger.*), record it (record…/mark…/log… call), or return it to the caller.',
      unknownHandler:
        "'{{name}}' is not known to rethrow, log or record: name it record…/mark…/log…, use a logger method, or pass an inline handler.",
    },
  },

  create(context) {
    const sourceCode = context.sourceCode;
    const visitorKeys = sourceCode.visitorKeys;

    /** A catch clause or a handler function passes rules 1-5. */
    const handles = (handler, body) => throwsLogsOrRecords(body, visitorKeys) || handsErrorOn(sourceCode.getDeclaredVariables(handler), handler);

    /** The function a name refers to, when it is declared in this file. */
    const localFunction = (identifier) => {
      for (let scope = sourceCode.getScope(identifier); scope; scope = scope.upper) {
        const variable = scope.set.get(identifier.name);
        if (!variable) continue;
        const def = variable.defs[0];
        if (def && def.type === 'FunctionName') return def.node;
        if (def && def.type === 'Variable' && def.node.init && isFunction(def.node.init)) return def.node.init;
        return undefined;
      }
      return undefined;
    };

    return {
      CatchClause(node) {
        if (!handles(node, node.body)) context.report({ node, messageId: 'swallowed' });
      },

      CallExpression(node) {
        const callee = unwrapChain(node.callee);
        if (callee.type !== 'MemberExpression' || calleeName(callee) !== 'catch') return;
        const handler = node.arguments[0];
        // `.catch()` without a handler passes the rejection through unchanged.
        if (!handler) return;
        if (handler.type === 'ArrowFunctionExpression' || handler.type === 'FunctionExpression') {
          if (!handles(handler, handler.body)) context.report({ node: handler, messageId: 'swallowedPromise' });
          return;
        }
        // A value that is not a function is not a promise handler (zod's `.catch(fallback)`, for one).
        if (handler.type !== 'Identifier' && handler.type !== 'MemberExpression') return;
        const name = calleeName(handler);
        if (isLoggerMethod(handler) || isRecordOrLogCall(handler) || FORWARD_NAMES.has(name)) return;
        const declared = handler.type === 'Identifier' ? localFunction(handler) : undefined;
        if (declared && handles(declared, declared.body)) return;
        context.report({ node: handler, messageId: declared ? 'swallowedPromise' : 'unknownHandler', data: { name: sourceCode.getText(handler) } });
      },
    };
  },
};
