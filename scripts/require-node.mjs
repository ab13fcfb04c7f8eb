// Preloaded by `npm start` before tsx and the stack (`node --import ./scripts/require-node.mjs --import tsx
// ...`), so that on a node older than the project supports, the first thing it does is say what to do.
import { oldNodeAdvice } from './tools.mjs';

const advice = oldNodeAdvice('npm start');
if (advice) {
  process.stderr.write(`\n[stack] ${advice}`);
  process.exit(1);
}
