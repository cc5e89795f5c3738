// Bridge between serverless.yml and the TypeScript stack builder (infra/build.ts).
//
// osls only loads `${file(...)}` sources that Node can `require`, so this CommonJS file loads
// the TypeScript through tsx and hands each generated part to osls. osls calls these functions
// several times while it resolves variables (params become available only in a later pass), so
// the inputs are resolved on every call and the build is memoized per distinct input.
const path = require('node:path');

const builds = new Map();
const serviceDir = path.resolve(__dirname, '..');
const load = (file) => require('tsx/cjs/api').require(file, __filename);

/** Every parameter infra/params.ts knows; serverless.yml gives each a default. */
async function resolveParams(resolveVariable) {
  const params = {};
  for (const name of load('./params.ts').PARAM_NAMES) params[name] = await resolveVariable(`param:${name}`);
  return params;
}

async function stack({ resolveVariable }) {
  const params = await resolveParams(resolveVariable);
  const input = {
    serviceDir,
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    region: await resolveVariable('self:provider.region'),
    params,
  };
  const key = JSON.stringify(input);
  if (!builds.has(key)) builds.set(key, build(input));
  return builds.get(key);
}

/**
 * A config error ends the command here, printed once as it is: osls would wrap it in "Cannot
 * resolve serverless.yml: Variables resolution errored with:", once for every generated part
 * that needs the config, and flatten its list of issues into that wrapper's own list. Any
 * other error goes back to osls unchanged.
 */
function endOnConfigError(error) {
  if (error?.name !== 'ConfigError') return error;
  process.stderr.write(
    `\n${error.name}: ${error.message}\n\nFix the config and run the command again (every field: docs/config.md).\n`,
  );
  process.exit(1);
}

async function build(input) {
  try {
    return load('./build.ts').buildStack(input);
  } catch (error) {
    throw endOnConfigError(error);
  }
}

const part = (name) => async (context) => (await stack(context))[name];

// configPath and the retry policy do not depend on the config's content, so a bad config is
// reported once per generated part (functions, resources), not once per variable.
async function configPath({ resolveVariable }) {
  const params = await resolveParams(resolveVariable);
  try {
    return load('./params.ts').parseParams(params, serviceDir).configPath;
  } catch (error) {
    throw endOnConfigError(error);
  }
}

module.exports = {
  configPath,
  functions: part('functions'),
  resources: part('resources'),
  schedulerRetryPolicy: () => load('./scheduler.ts').SCHEDULER_RETRY_POLICY,
};
