'use strict';

/** The project's own ESLint rules (Ghost ships its own the same way), used as the `hsug` plugin in eslint.config.mjs. */
module.exports = {
  meta: { name: 'eslint-plugin-hsug' },
  rules: {
    'no-swallowed-catch': require('./no-swallowed-catch'),
  },
};
