// osls compiles `schedule` events with `method: scheduler` into AWS::Scheduler::Schedule
// resources without a RetryPolicy, and EventBridge Scheduler's default is 185 retries over 24
// hours. This local plugin gives every compiled schedule the policy from
// `custom.schedulerRetryPolicy` (infra/scheduler.ts), so a late tick is dropped, never replayed.
class SchedulerRetryPolicy {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:package:compileEvents': () => this.apply() };
  }

  apply() {
    const policy = this.serverless.service.custom?.schedulerRetryPolicy;
    if (!policy || typeof policy.MaximumRetryAttempts !== 'number') {
      throw new this.serverless.classes.Error(
        'custom.schedulerRetryPolicy must set MaximumRetryAttempts (see infra/scheduler.ts)',
      );
    }
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::Scheduler::Schedule') continue;
      resource.Properties.Target.RetryPolicy = { ...policy };
    }
  }
}

module.exports = SchedulerRetryPolicy;
