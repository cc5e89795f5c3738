// `--stage local` exists only for `serverless invoke local` against the local cloud: it takes the
// table, topic and config from the shell (params.local in serverless.yml). A package or deploy of
// it would ship functions pointing at whatever that shell named, so this plugin refuses both.
const LOCAL_STAGE = 'local';

class LocalStageGuard {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options ?? {};
    const refuse = () => this.refuse();
    this.hooks = {
      'before:package:initialize': refuse,
      'before:deploy:deploy': refuse,
      'before:deploy:function:initialize': refuse,
    };
  }

  refuse() {
    const stage = this.options.stage ?? this.serverless.service.provider.stage;
    if (stage !== LOCAL_STAGE) return;
    throw new this.serverless.classes.Error(
      `stage "${LOCAL_STAGE}" is only for \`serverless invoke local\` against the local cloud; ` +
        'package or deploy another stage, e.g. --stage prod',
    );
  }
}

module.exports = LocalStageGuard;
