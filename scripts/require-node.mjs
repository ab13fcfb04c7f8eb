// Preloaded by `npm start` and `npm run test:production` before tsx and the stack (`node --import ./scripts/require-node.mjs --import tsx
// ...`), so that on a node older than the project supports, the first thing it does is say what to do.
import { oldNodeAdvice } from './tools.mjs';

const event = process.env.npm_lifecycle_event ?? 'start';
const advice = oldNodeAdvice(event === 'start' ? 'npm start' : `npm run ${event}`);
if (advice) {
  process.stderr.write(`\n[${event === 'start' ? 'stack' : event}] ${advice}`);
  process.exit(1);
}
