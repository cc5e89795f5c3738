/**
 * Refuses a Node.js older than the project's baseline with one line, before anything else of
 * an entry point loads (each imports this first). `engines` in package.json is enforced only at
 * install time (with engine-strict in .npmrc), and on Node 18 the code half-works instead of
 * failing clearly.
 */
const MINIMUM_MAJOR = 20;
const major = Number(process.versions.node.split('.')[0]);
if (!Number.isInteger(major) || major < MINIMUM_MAJOR) {
  process.stderr.write(
    `ha-arbiter needs Node.js ${MINIMUM_MAJOR} or newer (Lambda runs 22); this is ${process.version}.\n`,
  );
  process.exit(1);
}
// The AWS SDK warns on every run that its releases after January 2027 need Node 22; the
// project already targets 22 on Lambda, and on a development machine the warning only hides
// the output people read (and breaks `| jq` when a tool merges the streams).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
